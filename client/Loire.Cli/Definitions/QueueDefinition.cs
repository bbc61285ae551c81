using Loire.Client.Administration;

namespace Loire.Cli.Definitions;

/// <summary>A queue in an export file; absent settings take the broker's defaults on import.</summary>
internal sealed class QueueDefinition
{
    public string Name { get; set; } = "";

    public TimeSpan? LockDuration { get; set; }

    public int? MaxDeliveryCount { get; set; }

    public TimeSpan? DefaultMessageTimeToLive { get; set; }

    public bool? DeadLetteringOnMessageExpiration { get; set; }

    public bool? RequiresDuplicateDetection { get; set; }

    public TimeSpan? DuplicateDetectionHistoryTimeWindow { get; set; }

    public bool? RequiresSession { get; set; }

    public long? MaxSizeInMegabytes { get; set; }

    public long? MaxMessageCount { get; set; }

    public int? PartitionCount { get; set; }

    public string? ForwardTo { get; set; }

    public string? ForwardDeadLetteredMessagesTo { get; set; }

    public int? MaxMessageSizeInKilobytes { get; set; }

    public TimeSpan? AutoDeleteOnIdle { get; set; }

    public bool? EnableEarlyDelivery { get; set; }

    public static QueueDefinition From(QueueProperties queue) => new()
    {
        Name = queue.Name,
        LockDuration = queue.LockDuration,
        MaxDeliveryCount = queue.MaxDeliveryCount,
        DefaultMessageTimeToLive = queue.DefaultMessageTimeToLive,
        DeadLetteringOnMessageExpiration = queue.DeadLetteringOnMessageExpiration,
        RequiresDuplicateDetection = queue.RequiresDuplicateDetection,
        DuplicateDetectionHistoryTimeWindow = queue.DuplicateDetectionHistoryTimeWindow,
        RequiresSession = queue.RequiresSession,
        MaxSizeInMegabytes = queue.MaxSizeInMegabytes,
        MaxMessageCount = queue.MaxMessageCount,
        PartitionCount = queue.PartitionCount,
        ForwardTo = queue.ForwardTo,
        ForwardDeadLetteredMessagesTo = queue.ForwardDeadLetteredMessagesTo,
        MaxMessageSizeInKilobytes = queue.MaxMessageSizeInKilobytes,
        AutoDeleteOnIdle = queue.AutoDeleteOnIdle,
        EnableEarlyDelivery = queue.EnableEarlyDelivery,
    };

    public CreateQueueOptions ToOptions(string? name = null) => ApplyTo(new CreateQueueOptions(name ?? Name));

    /// <summary>The settings given here over <paramref name="options"/> (the defaults, or an update's current settings).</summary>
    public CreateQueueOptions ApplyTo(CreateQueueOptions options)
    {
        options.LockDuration = LockDuration ?? options.LockDuration;
        options.MaxDeliveryCount = MaxDeliveryCount ?? options.MaxDeliveryCount;
        options.DefaultMessageTimeToLive = DefaultMessageTimeToLive ?? options.DefaultMessageTimeToLive;
        options.DeadLetteringOnMessageExpiration = DeadLetteringOnMessageExpiration ?? options.DeadLetteringOnMessageExpiration;
        options.RequiresDuplicateDetection = RequiresDuplicateDetection ?? options.RequiresDuplicateDetection;
        options.DuplicateDetectionHistoryTimeWindow = DuplicateDetectionHistoryTimeWindow ?? options.DuplicateDetectionHistoryTimeWindow;
        options.RequiresSession = RequiresSession ?? options.RequiresSession;
        options.MaxSizeInMegabytes = MaxSizeInMegabytes ?? options.MaxSizeInMegabytes;
        options.MaxMessageCount = MaxMessageCount ?? options.MaxMessageCount;
        options.PartitionCount = PartitionCount ?? options.PartitionCount;
        options.ForwardTo = ForwardTo ?? options.ForwardTo;
        options.ForwardDeadLetteredMessagesTo = ForwardDeadLetteredMessagesTo ?? options.ForwardDeadLetteredMessagesTo;
        options.MaxMessageSizeInKilobytes = MaxMessageSizeInKilobytes ?? options.MaxMessageSizeInKilobytes;
        options.AutoDeleteOnIdle = AutoDeleteOnIdle ?? options.AutoDeleteOnIdle;
        options.EnableEarlyDelivery = EnableEarlyDelivery ?? options.EnableEarlyDelivery;
        return options;
    }
}
