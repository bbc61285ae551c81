namespace Loire.Entities;

/// <summary>Live counts of an entity, as the grain that owns it sees them.</summary>
[GenerateSerializer, Immutable, Alias("loire.EntityRuntimeInfo")]
public sealed record EntityRuntimeInfo
{
    [Id(0)] public required string Path { get; init; }
    [Id(1)] public long ActiveMessageCount { get; init; }
    [Id(2)] public long DeadLetterMessageCount { get; init; }
    [Id(3)] public long ScheduledMessageCount { get; init; }
    [Id(4)] public long DeferredMessageCount { get; init; }
    [Id(5)] public long LockedMessageCount { get; init; }
    [Id(6)] public long TotalMessageCount { get; init; }
    [Id(7)] public long SizeInBytes { get; init; }
    [Id(8)] public DateTimeOffset CreatedAt { get; init; }
    [Id(9)] public DateTimeOffset UpdatedAt { get; init; }
    [Id(10)] public DateTimeOffset AccessedAt { get; init; }
    [Id(11)] public int SubscriptionCount { get; init; }
}
