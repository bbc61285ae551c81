using System.Collections.Immutable;
using Loire.Security;

namespace Loire.Grains.Security;

/// <summary>
/// An entity grain that holds its own shared access rules in memory; the authorisation filter, running in the
/// grain's activation, reads them there, so a rule change is in force at once for calls to that entity.
/// </summary>
internal interface IAccessRuleOwner
{
    /// <summary>The rules, or null when this grain does not hold the entity's rules (a partition, a subscription, no entity).</summary>
    ImmutableArray<SharedAccessAuthorizationRule>? OwnAccessRules { get; }
}
