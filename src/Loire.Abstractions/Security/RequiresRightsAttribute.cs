namespace Loire.Security;

/// <summary>
/// The rights a client needs to call a grain method when shared access authorisation is on: any one of
/// <see cref="AnyOf"/>, on the entity the call addresses. Every grain method a client may call carries this
/// attribute or <see cref="SiloInternalAttribute"/>; a method with neither is refused to clients.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class RequiresRightsAttribute(AccessRights anyOf) : Attribute
{
    /// <summary>Rights of which the caller needs at least one (Manage implies Send and Listen).</summary>
    public AccessRights AnyOf { get; } = anyOf;

    /// <summary>
    /// Index of the argument that names the entity (a path), for grains whose key is not an entity (the catalog);
    /// -1: the entity is the grain's key, or none (a namespace-wide call) on a grain without an entity key.
    /// </summary>
    public int EntityArgument { get; init; } = -1;

    /// <summary>True for a call that is audited as a management operation.</summary>
    public bool IsManagement => AnyOf == AccessRights.Manage;
}

/// <summary>Marks a grain method only silos call (topic fan-out, partition coordination): always refused to clients when authorisation is on.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class SiloInternalAttribute : Attribute;
