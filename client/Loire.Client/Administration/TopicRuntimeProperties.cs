using Loire.Entities;

namespace Loire.Client.Administration;

/// <summary>Live counts of a topic.</summary>
public sealed class TopicRuntimeProperties
{
    internal TopicRuntimeProperties(EntityRuntimeInfo info)
    {
        Name = info.Path;
        ScheduledMessageCount = info.ScheduledMessageCount;
        SizeInBytes = info.SizeInBytes;
        SubscriptionCount = info.SubscriptionCount;
        CreatedAt = info.CreatedAt;
        UpdatedAt = info.UpdatedAt;
        AccessedAt = info.AccessedAt;
    }

    /// <summary>The topic's path.</summary>
    public string Name { get; }

    /// <summary>Messages waiting for their scheduled enqueue time.</summary>
    public long ScheduledMessageCount { get; }

    /// <summary>Bytes the topic's messages take, as counted against its quota.</summary>
    public long SizeInBytes { get; }

    /// <summary>Number of subscriptions.</summary>
    public int SubscriptionCount { get; }

    /// <summary>When the topic was created.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>When the topic's settings last changed.</summary>
    public DateTimeOffset UpdatedAt { get; }

    /// <summary>When a message was last sent to the topic.</summary>
    public DateTimeOffset AccessedAt { get; }
}
