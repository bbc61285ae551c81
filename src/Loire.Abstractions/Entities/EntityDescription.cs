using System.Collections.Immutable;

namespace Loire.Entities;

/// <summary>What the broker knows about an entity: its path, kind, options and (subscriptions) rules.</summary>
[GenerateSerializer, Immutable, Alias("loire.EntityDescription")]
public sealed record EntityDescription(
    [property: Id(0)] string Path,
    [property: Id(1)] EntityKind Kind,
    [property: Id(2)] EntityOptions Options,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset UpdatedAt)
{
    /// <summary>Rules of a subscription; empty for queues and topics.</summary>
    [Id(5)] public ImmutableArray<RuleDescription> Rules { get; init; } = [];
}
