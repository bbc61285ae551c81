using Loire.Client.Internal;
using Loire.Entities;
using Loire.Partitions;

namespace Loire.Client.Administration;

/// <summary>What a new queue looks like. Unset properties take the broker's defaults.</summary>
public sealed class CreateQueueOptions
{
    private string _name;

    /// <summary>Creates options for a queue named <paramref name="name"/> with default settings.</summary>
    /// <param name="name">The queue's path, e.g. <c>orders</c> or <c>billing/invoices</c>.</param>
    public CreateQueueOptions(string name)
    {
        _name = name ?? throw new ArgumentNullException(nameof(name));
    }

    /// <summary>Creates options that copy an existing queue's settings, e.g. to recreate it.</summary>
    /// <param name="queue">The queue to copy.</param>
    public CreateQueueOptions(QueueProperties queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        _name = queue.Name;
        LockDuration = queue.LockDuration;
        MaxDeliveryCount = queue.MaxDeliveryCount;
        DefaultMessageTimeToLive = queue.DefaultMessageTimeToLive;
        DeadLetteringOnMessageExpiration = queue.DeadLetteringOnMessageExpiration;
        RequiresDuplicateDetection = queue.RequiresDuplicateDetection;
        DuplicateDetectionHistoryTimeWindow = queue.DuplicateDetectionHistoryTimeWindow;
        RequiresSession = queue.RequiresSession;
        MaxSizeInMegabytes = queue.MaxSizeInMegabytes;
        MaxMessageCount = queue.MaxMessageCount;
        PartitionCount = queue.PartitionCount;
        ForwardTo = queue.ForwardTo;
        ForwardDeadLetteredMessagesTo = queue.ForwardDeadLetteredMessagesTo;
        MaxMessageSizeInKilobytes = queue.MaxMessageSizeInKilobytes;
        AutoDeleteOnIdle = queue.AutoDeleteOnIdle;
        EnableEarlyDelivery = queue.EnableEarlyDelivery;
    }

    /// <summary>The queue's path.</summary>
    public string Name
    {
        get => _name;
        set => _name = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>How long a peek-lock receive holds a message. Default 30 s.</summary>
    public TimeSpan LockDuration { get; set; } = EntityDefaults.Options.LockDuration;

    /// <summary>Deliveries after which a message moves to the dead-letter queue. Default 10.</summary>
    public int MaxDeliveryCount { get; set; } = EntityDefaults.Options.MaxDeliveryCount;

    /// <summary>Time to live of messages that set none. Default <see cref="TimeSpan.MaxValue"/> (never expire).</summary>
    public TimeSpan DefaultMessageTimeToLive { get; set; } = EntityDefaults.Options.DefaultMessageTimeToLive;

    /// <summary>Expired messages go to the dead-letter queue instead of being dropped. Default false.</summary>
    public bool DeadLetteringOnMessageExpiration { get; set; } = EntityDefaults.Options.DeadLetteringOnMessageExpiration;

    /// <summary>Drop resends of a MessageId seen within <see cref="DuplicateDetectionHistoryTimeWindow"/>. Default false.</summary>
    public bool RequiresDuplicateDetection { get; set; } = EntityDefaults.Options.RequiresDuplicateDetection;

    /// <summary>How long MessageIds are remembered for duplicate detection. Default 10 minutes.</summary>
    public TimeSpan DuplicateDetectionHistoryTimeWindow { get; set; } = EntityDefaults.Options.DuplicateDetectionHistoryTimeWindow;

    /// <summary>Messages carry a SessionId and are delivered in order per session. Default false.</summary>
    public bool RequiresSession { get; set; } = EntityDefaults.Options.RequiresSession;

    /// <summary>Most megabytes the queue may hold; sends beyond fail with <see cref="LoireErrorReason.QuotaExceeded"/>. Default 1024.</summary>
    public long MaxSizeInMegabytes { get; set; } = EntityDefaults.Options.MaxSizeInMegabytes;

    /// <summary>Most messages the queue may hold; null (the default) for no count limit.</summary>
    public long? MaxMessageCount { get; set; } = EntityDefaults.Options.MaxMessageCount;

    /// <summary>
    /// Number of partitions (grains, 1 to 32) the queue spreads over; fixed at creation. Default 1. Messages with the same
    /// SessionId or PartitionKey go to one partition and keep their order; others are spread.
    /// </summary>
    public int PartitionCount { get; set; } = EntityDefaults.Options.PartitionCount;

    /// <summary>
    /// Queue or topic that receives every message sent here (the queue itself then holds nothing); null (the default)
    /// for none. It must exist (<see cref="LoireErrorReason.MessagingEntityNotFound"/> naming it otherwise), and the
    /// forwarding chain from here must not come back here or take more than 4 hops (<see cref="LoireErrorReason.InvalidArgument"/>).
    /// </summary>
    public string? ForwardTo { get; set; } = EntityDefaults.Options.ForwardTo;

    /// <summary>
    /// Queue or topic that receives every message dead-lettered here, with <c>DeadLetterReason</c>,
    /// <c>DeadLetterErrorDescription</c> and <c>DeadLetterSource</c> application properties; null (the default) for
    /// none. It must exist (<see cref="LoireErrorReason.MessagingEntityNotFound"/> naming it otherwise).
    /// </summary>
    public string? ForwardDeadLetteredMessagesTo { get; set; } = EntityDefaults.Options.ForwardDeadLetteredMessagesTo;

    /// <summary>Largest accepted message (body and properties), in KiB. Default 1024.</summary>
    public int MaxMessageSizeInKilobytes { get; set; } = EntityDefaults.Options.MaxMessageSizeInKilobytes;

    /// <summary>Idle time after which the queue deletes itself, messages included; idle means no sends, receives or settlements. At least 5 s. Default <see cref="TimeSpan.MaxValue"/> (never).</summary>
    public TimeSpan AutoDeleteOnIdle { get; set; } = EntityDefaults.Options.AutoDeleteOnIdle;

    /// <summary>
    /// Hand a new message to a receiver already waiting while the message's store commit is still in flight, which
    /// takes the commit's fsync off the send-to-delivery latency. Default false.
    /// </summary>
    /// <remarks>
    /// The send is still acknowledged only once the message is durable. If that commit then fails, the sender gets
    /// the error (and may retry) although a receiver may already have seen the message: a possible duplicate, never a
    /// loss. The early copy is withdrawn: settling it answers <see cref="LoireErrorReason.MessageLockLost"/> and it is
    /// never delivered again. Off by default because "delivered implies stored" is the stronger promise. Only plain
    /// messages are early: scheduled messages and messages of session entities are delivered after their commit.
    /// </remarks>
    public bool EnableEarlyDelivery { get; set; } = EntityDefaults.Options.EnableEarlyDelivery;

    /// <summary>The wire form, validated; throws <see cref="LoireErrorReason.InvalidArgument"/>.</summary>
    internal EntityOptions ToEntityOptions()
    {
        EntityPath.ValidateQueueOrTopic(Name);
        Validation.Positive(LockDuration, nameof(LockDuration), Name);
        Validation.AtLeast(MaxDeliveryCount, 1, nameof(MaxDeliveryCount), Name);
        Validation.Positive(DefaultMessageTimeToLive, nameof(DefaultMessageTimeToLive), Name);
        Validation.Positive(DuplicateDetectionHistoryTimeWindow, nameof(DuplicateDetectionHistoryTimeWindow), Name);
        Validation.AtLeast(MaxSizeInMegabytes, 1, nameof(MaxSizeInMegabytes), Name);
        if (MaxMessageCount is { } maxMessageCount)
        {
            Validation.AtLeast(maxMessageCount, 1, nameof(MaxMessageCount), Name);
        }

        EntityPartitions.ValidateCount(PartitionCount, Name);
        Validation.AtLeast(MaxMessageSizeInKilobytes, 1, nameof(MaxMessageSizeInKilobytes), Name);
        Validation.Positive(AutoDeleteOnIdle, nameof(AutoDeleteOnIdle), Name);
        Validation.OptionalPath(ForwardTo, nameof(ForwardTo), Name);
        Validation.OptionalPath(ForwardDeadLetteredMessagesTo, nameof(ForwardDeadLetteredMessagesTo), Name);
        if (string.Equals(ForwardTo, Name, StringComparison.Ordinal))
        {
            throw Validation.Invalid("A queue cannot forward to itself.", Name);
        }

        return new EntityOptions
        {
            LockDuration = LockDuration,
            MaxDeliveryCount = MaxDeliveryCount,
            DefaultMessageTimeToLive = DefaultMessageTimeToLive,
            DeadLetteringOnMessageExpiration = DeadLetteringOnMessageExpiration,
            RequiresDuplicateDetection = RequiresDuplicateDetection,
            DuplicateDetectionHistoryTimeWindow = DuplicateDetectionHistoryTimeWindow,
            RequiresSession = RequiresSession,
            MaxSizeInMegabytes = MaxSizeInMegabytes,
            MaxMessageCount = MaxMessageCount,
            PartitionCount = PartitionCount,
            ForwardTo = ForwardTo,
            ForwardDeadLetteredMessagesTo = ForwardDeadLetteredMessagesTo,
            MaxMessageSizeInKilobytes = MaxMessageSizeInKilobytes,
            AutoDeleteOnIdle = AutoDeleteOnIdle,
            EnableEarlyDelivery = EnableEarlyDelivery,
        };
    }
}
