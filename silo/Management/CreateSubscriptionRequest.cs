namespace Loire.Silo.Management;

/// <summary>Body of a subscription create: settings, and the first rule instead of the match-all default.</summary>
public sealed record CreateSubscriptionRequest(EntitySettings? Settings = null, RuleRequest? Rule = null);
