namespace Loire.Security;

/// <summary>What a shared access rule allows, as in Service Bus: Manage implies Send and Listen.</summary>
[Flags]
[GenerateSerializer, Alias("loire.AccessRights")]
public enum AccessRights
{
    /// <summary>Nothing.</summary>
    None = 0,
    /// <summary>Receive, peek, settle, renew locks and sessions.</summary>
    Listen = 1,
    /// <summary>Send, schedule and cancel scheduled messages.</summary>
    Send = 2,
    /// <summary>Create, delete and configure entities and their rules; implies Send and Listen.</summary>
    Manage = 4,
}

/// <summary>Helpers over <see cref="AccessRights"/>.</summary>
public static class AccessRightsExtensions
{
    /// <summary>The rights a rule actually grants: Manage adds Send and Listen.</summary>
    public static AccessRights Effective(this AccessRights rights) =>
        rights.HasFlag(AccessRights.Manage) ? AccessRights.Manage | AccessRights.Send | AccessRights.Listen : rights;

    /// <summary>True when <paramref name="granted"/> includes at least one of <paramref name="anyOf"/>.</summary>
    public static bool GrantsAny(this AccessRights granted, AccessRights anyOf) => (granted.Effective() & anyOf) != 0;
}
