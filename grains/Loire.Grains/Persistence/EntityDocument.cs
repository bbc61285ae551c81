using System.Collections.Immutable;
using Loire.Entities;
using Loire.Security;

namespace Loire.Grains.Persistence;

/// <summary>
/// What the catalog stores for an entity. <see cref="SequenceCeiling"/> is a reserved upper bound of issued
/// sequence numbers, so numbers stay monotonic across restarts without a write per send.
/// </summary>
[GenerateSerializer, Immutable, Alias("loire.EntityDocument")]
internal sealed record EntityDocument(
    [property: Id(0)] EntityDescription Description,
    [property: Id(1)] long SequenceCeiling)
{
    /// <summary>
    /// Last activity of an entity with AutoDeleteOnIdle, persisted lazily (see <c>IdleClock</c>); null until the
    /// first such write, and for entities that never auto-delete.
    /// </summary>
    [Id(2)] public DateTimeOffset? LastActivityAt { get; init; }

    /// <summary>
    /// The entity's own shared access rules (queues and topics; partition 0 only). Kept out of the
    /// <see cref="EntityDescription"/> so that the keys never reach a caller who may only read the description.
    /// </summary>
    [Id(3)] public ImmutableArray<SharedAccessAuthorizationRule> AccessRules { get; init; } = [];
}
