namespace Loire.Entities;

/// <summary>Settings of a queue, topic or subscription; fields that do not apply to a kind are ignored.</summary>
[GenerateSerializer, Immutable, Alias("loire.EntityOptions")]
public sealed record EntityOptions
{
    /// <summary>How long a peek-lock receive holds a message.</summary>
    [Id(0)] public TimeSpan LockDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Deliveries after which a message moves to the dead-letter queue.</summary>
    [Id(1)] public int MaxDeliveryCount { get; init; } = 10;

    /// <summary>Time to live of messages that set none.</summary>
    [Id(2)] public TimeSpan DefaultMessageTimeToLive { get; init; } = TimeSpan.MaxValue;

    /// <summary>Expired messages go to the dead-letter queue instead of being dropped.</summary>
    [Id(3)] public bool DeadLetteringOnMessageExpiration { get; init; }

    /// <summary>Drop resends of a MessageId seen within the history window.</summary>
    [Id(4)] public bool RequiresDuplicateDetection { get; init; }

    /// <summary>How long MessageIds are remembered for duplicate detection.</summary>
    [Id(5)] public TimeSpan DuplicateDetectionHistoryTimeWindow { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Messages carry a SessionId and are delivered in order per session.</summary>
    [Id(6)] public bool RequiresSession { get; init; }

    /// <summary>Most bytes the entity may hold.</summary>
    [Id(7)] public long MaxSizeInMegabytes { get; init; } = 1024;

    /// <summary>Most messages the entity may hold; null means no count limit.</summary>
    [Id(8)] public long? MaxMessageCount { get; init; }

    /// <summary>Number of partitions (grains) the entity spreads over.</summary>
    [Id(9)] public int PartitionCount { get; init; } = 1;

    /// <summary>Entity that receives every message sent here.</summary>
    [Id(10)] public string? ForwardTo { get; init; }

    /// <summary>Entity that receives every message dead-lettered here.</summary>
    [Id(11)] public string? ForwardDeadLetteredMessagesTo { get; init; }

    /// <summary>Largest accepted message (body and properties), in KiB.</summary>
    [Id(12)] public int MaxMessageSizeInKilobytes { get; init; } = 1024;

    /// <summary>Idle time after which the entity deletes itself; MaxValue never.</summary>
    [Id(13)] public TimeSpan AutoDeleteOnIdle { get; init; } = TimeSpan.MaxValue;

    /// <summary>
    /// Queues and subscriptions: hand a new message to a waiting receiver while its store commit is still in flight.
    /// The send is still acknowledged only once durable; if the commit fails, a receiver may have seen a message the
    /// sender is told failed (a duplicate if it retries, never a loss). Scheduled and session messages wait for the commit.
    /// </summary>
    [Id(14)] public bool EnableEarlyDelivery { get; init; }
}
