using Loire.Entities;

namespace Loire.Client.Administration;

/// <summary>Live counts of a subscription.</summary>
public sealed class SubscriptionRuntimeProperties
{
    internal SubscriptionRuntimeProperties(EntityRuntimeInfo info)
    {
        (TopicName, SubscriptionName) = SubscriptionPath.Split(info.Path);
        ActiveMessageCount = info.ActiveMessageCount;
        DeadLetterMessageCount = info.DeadLetterMessageCount;
        ScheduledMessageCount = info.ScheduledMessageCount;
        DeferredMessageCount = info.DeferredMessageCount;
        LockedMessageCount = info.LockedMessageCount;
        TotalMessageCount = info.TotalMessageCount;
        SizeInBytes = info.SizeInBytes;
        CreatedAt = info.CreatedAt;
        UpdatedAt = info.UpdatedAt;
        AccessedAt = info.AccessedAt;
    }

    /// <summary>The topic's path.</summary>
    public string TopicName { get; }

    /// <summary>The subscription's name within the topic.</summary>
    public string SubscriptionName { get; }

    /// <summary>Messages available to receivers (or locked by one).</summary>
    public long ActiveMessageCount { get; }

    /// <summary>Messages in the dead-letter queue.</summary>
    public long DeadLetterMessageCount { get; }

    /// <summary>Messages waiting for their scheduled enqueue time.</summary>
    public long ScheduledMessageCount { get; }

    /// <summary>Deferred messages.</summary>
    public long DeferredMessageCount { get; }

    /// <summary>Active messages currently locked by a receiver.</summary>
    public long LockedMessageCount { get; }

    /// <summary>Messages waiting to be forwarded; always 0, Loire does not report a transfer queue.</summary>
    public long TransferMessageCount => 0;

    /// <summary>Dead-lettered messages waiting to be forwarded; always 0, Loire does not report a transfer queue.</summary>
    public long TransferDeadLetterMessageCount => 0;

    /// <summary>All messages the subscription holds, its dead-letter queue included.</summary>
    public long TotalMessageCount { get; }

    /// <summary>Bytes the subscription's messages take.</summary>
    public long SizeInBytes { get; }

    /// <summary>When the subscription was created.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>When the subscription's settings last changed.</summary>
    public DateTimeOffset UpdatedAt { get; }

    /// <summary>When a message was last received from the subscription.</summary>
    public DateTimeOffset AccessedAt { get; }
}
