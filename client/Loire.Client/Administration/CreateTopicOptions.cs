using Loire.Client.Internal;
using Loire.Entities;
using Loire.Partitions;

namespace Loire.Client.Administration;

/// <summary>What a new topic looks like. Unset properties take the broker's defaults.</summary>
public sealed class CreateTopicOptions
{
    private string _name;

    /// <summary>Creates options for a topic named <paramref name="name"/> with default settings.</summary>
    /// <param name="name">The topic's path, e.g. <c>events</c>.</param>
    public CreateTopicOptions(string name)
    {
        _name = name ?? throw new ArgumentNullException(nameof(name));
    }

    /// <summary>Creates options that copy an existing topic's settings.</summary>
    /// <param name="topic">The topic to copy.</param>
    public CreateTopicOptions(TopicProperties topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        _name = topic.Name;
        DefaultMessageTimeToLive = topic.DefaultMessageTimeToLive;
        MaxSizeInMegabytes = topic.MaxSizeInMegabytes;
        RequiresDuplicateDetection = topic.RequiresDuplicateDetection;
        DuplicateDetectionHistoryTimeWindow = topic.DuplicateDetectionHistoryTimeWindow;
        PartitionCount = topic.PartitionCount;
        MaxMessageSizeInKilobytes = topic.MaxMessageSizeInKilobytes;
        AutoDeleteOnIdle = topic.AutoDeleteOnIdle;
    }

    /// <summary>The topic's path.</summary>
    public string Name
    {
        get => _name;
        set => _name = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Time to live of messages that set none. Default <see cref="TimeSpan.MaxValue"/> (never expire).</summary>
    public TimeSpan DefaultMessageTimeToLive { get; set; } = EntityDefaults.Options.DefaultMessageTimeToLive;

    /// <summary>Most megabytes the topic may hold. Default 1024.</summary>
    public long MaxSizeInMegabytes { get; set; } = EntityDefaults.Options.MaxSizeInMegabytes;

    /// <summary>Drop resends of a MessageId seen within <see cref="DuplicateDetectionHistoryTimeWindow"/>. Default false.</summary>
    public bool RequiresDuplicateDetection { get; set; } = EntityDefaults.Options.RequiresDuplicateDetection;

    /// <summary>How long MessageIds are remembered for duplicate detection. Default 10 minutes.</summary>
    public TimeSpan DuplicateDetectionHistoryTimeWindow { get; set; } = EntityDefaults.Options.DuplicateDetectionHistoryTimeWindow;

    /// <summary>Number of partitions (grains) the topic spreads over. Default 1.</summary>
    public int PartitionCount { get; set; } = EntityDefaults.Options.PartitionCount;

    /// <summary>Largest accepted message (body and properties), in KiB. Default 1024.</summary>
    public int MaxMessageSizeInKilobytes { get; set; } = EntityDefaults.Options.MaxMessageSizeInKilobytes;

    /// <summary>Idle time after which the topic deletes itself, subscriptions included; idle means no sends or rule and subscription changes. At least 5 s. Default <see cref="TimeSpan.MaxValue"/> (never).</summary>
    public TimeSpan AutoDeleteOnIdle { get; set; } = EntityDefaults.Options.AutoDeleteOnIdle;

    /// <summary>The wire form, validated; throws <see cref="LoireErrorReason.InvalidArgument"/>.</summary>
    internal EntityOptions ToEntityOptions()
    {
        EntityPath.ValidateQueueOrTopic(Name);
        Validation.Positive(DefaultMessageTimeToLive, nameof(DefaultMessageTimeToLive), Name);
        Validation.AtLeast(MaxSizeInMegabytes, 1, nameof(MaxSizeInMegabytes), Name);
        Validation.Positive(DuplicateDetectionHistoryTimeWindow, nameof(DuplicateDetectionHistoryTimeWindow), Name);
        EntityPartitions.ValidateCount(PartitionCount, Name);
        Validation.AtLeast(MaxMessageSizeInKilobytes, 1, nameof(MaxMessageSizeInKilobytes), Name);
        Validation.Positive(AutoDeleteOnIdle, nameof(AutoDeleteOnIdle), Name);
        return new EntityOptions
        {
            DefaultMessageTimeToLive = DefaultMessageTimeToLive,
            MaxSizeInMegabytes = MaxSizeInMegabytes,
            RequiresDuplicateDetection = RequiresDuplicateDetection,
            DuplicateDetectionHistoryTimeWindow = DuplicateDetectionHistoryTimeWindow,
            PartitionCount = PartitionCount,
            MaxMessageSizeInKilobytes = MaxMessageSizeInKilobytes,
            AutoDeleteOnIdle = AutoDeleteOnIdle,
        };
    }
}
