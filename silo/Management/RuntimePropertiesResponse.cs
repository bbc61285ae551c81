using Loire.Entities;

namespace Loire.Silo.Management;

/// <summary>Live counts of an entity, from its grain (partitions summed); a topic's message counts are its subscriptions'.</summary>
public sealed record RuntimePropertiesResponse(
    string Path,
    long ActiveMessageCount,
    long DeadLetterMessageCount,
    long ScheduledMessageCount,
    long DeferredMessageCount,
    long LockedMessageCount,
    long TotalMessageCount,
    long SizeInBytes,
    int SubscriptionCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset AccessedAt)
{
    public static RuntimePropertiesResponse From(string path, EntityRuntimeInfo i) => new(
        path, i.ActiveMessageCount, i.DeadLetterMessageCount, i.ScheduledMessageCount, i.DeferredMessageCount,
        i.LockedMessageCount, i.TotalMessageCount, i.SizeInBytes, i.SubscriptionCount, i.CreatedAt, i.UpdatedAt, i.AccessedAt);
}
