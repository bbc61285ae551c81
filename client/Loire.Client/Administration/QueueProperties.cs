using Loire.Entities;

namespace Loire.Client.Administration;

/// <summary>A queue's settings, as the broker holds them.</summary>
public sealed class QueueProperties
{
    internal QueueProperties(EntityDescription description)
    {
        var options = description.Options;
        Name = description.Path;
        LockDuration = options.LockDuration;
        MaxDeliveryCount = options.MaxDeliveryCount;
        DefaultMessageTimeToLive = options.DefaultMessageTimeToLive;
        DeadLetteringOnMessageExpiration = options.DeadLetteringOnMessageExpiration;
        RequiresDuplicateDetection = options.RequiresDuplicateDetection;
        DuplicateDetectionHistoryTimeWindow = options.DuplicateDetectionHistoryTimeWindow;
        RequiresSession = options.RequiresSession;
        MaxSizeInMegabytes = options.MaxSizeInMegabytes;
        MaxMessageCount = options.MaxMessageCount;
        PartitionCount = options.PartitionCount;
        ForwardTo = options.ForwardTo;
        ForwardDeadLetteredMessagesTo = options.ForwardDeadLetteredMessagesTo;
        MaxMessageSizeInKilobytes = options.MaxMessageSizeInKilobytes;
        AutoDeleteOnIdle = options.AutoDeleteOnIdle;
        EnableEarlyDelivery = options.EnableEarlyDelivery;
        CreatedAt = description.CreatedAt;
        UpdatedAt = description.UpdatedAt;
    }

    /// <summary>The queue's path.</summary>
    public string Name { get; }

    /// <summary>How long a peek-lock receive holds a message.</summary>
    public TimeSpan LockDuration { get; }

    /// <summary>Deliveries after which a message moves to the dead-letter queue.</summary>
    public int MaxDeliveryCount { get; }

    /// <summary>Time to live of messages that set none; <see cref="TimeSpan.MaxValue"/> means never expire.</summary>
    public TimeSpan DefaultMessageTimeToLive { get; }

    /// <summary>Whether expired messages go to the dead-letter queue instead of being dropped.</summary>
    public bool DeadLetteringOnMessageExpiration { get; }

    /// <summary>Whether resends of a recent MessageId are dropped.</summary>
    public bool RequiresDuplicateDetection { get; }

    /// <summary>How long MessageIds are remembered for duplicate detection.</summary>
    public TimeSpan DuplicateDetectionHistoryTimeWindow { get; }

    /// <summary>Whether messages carry a SessionId and are delivered in order per session.</summary>
    public bool RequiresSession { get; }

    /// <summary>Most megabytes the queue may hold.</summary>
    public long MaxSizeInMegabytes { get; }

    /// <summary>Most messages the queue may hold; null for no count limit.</summary>
    public long? MaxMessageCount { get; }

    /// <summary>Number of partitions the queue spreads over.</summary>
    public int PartitionCount { get; }

    /// <summary>Entity that receives every message sent here, if any.</summary>
    public string? ForwardTo { get; }

    /// <summary>Entity that receives every message dead-lettered here, if any.</summary>
    public string? ForwardDeadLetteredMessagesTo { get; }

    /// <summary>Largest accepted message, in KiB.</summary>
    public int MaxMessageSizeInKilobytes { get; }

    /// <summary>Idle time after which the queue deletes itself; <see cref="TimeSpan.MaxValue"/> means never.</summary>
    public TimeSpan AutoDeleteOnIdle { get; }

    /// <summary>Whether a waiting receiver may get a new message while its store commit is in flight (see <see cref="CreateQueueOptions.EnableEarlyDelivery"/>).</summary>
    public bool EnableEarlyDelivery { get; }

    /// <summary>When the queue was created.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>When the queue's settings last changed.</summary>
    public DateTimeOffset UpdatedAt { get; }

    /// <inheritdoc />
    public override string ToString() => $"Queue {Name}";
}
