using Loire.Entities;

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
}
