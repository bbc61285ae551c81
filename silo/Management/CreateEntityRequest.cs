namespace Loire.Silo.Management;

/// <summary>Body of a queue or topic create; an empty body (or <c>{}</c>) takes every default.</summary>
public sealed record CreateEntityRequest(EntitySettings? Settings = null);
