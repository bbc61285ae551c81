using Loire.Client.Administration;

namespace Loire.Cli.Definitions;

/// <summary>A topic in an export file, with its subscriptions; absent settings take the broker's defaults on import.</summary>
internal sealed class TopicDefinition
{
    public string Name { get; set; } = "";

    public TimeSpan? DefaultMessageTimeToLive { get; set; }

    public long? MaxSizeInMegabytes { get; set; }

    public bool? RequiresDuplicateDetection { get; set; }

    public TimeSpan? DuplicateDetectionHistoryTimeWindow { get; set; }

    public int? PartitionCount { get; set; }

    public int? MaxMessageSizeInKilobytes { get; set; }

    public TimeSpan? AutoDeleteOnIdle { get; set; }

    public List<SubscriptionDefinition> Subscriptions { get; set; } = [];

    public static TopicDefinition From(TopicProperties topic) => new()
    {
        Name = topic.Name,
        DefaultMessageTimeToLive = topic.DefaultMessageTimeToLive,
        MaxSizeInMegabytes = topic.MaxSizeInMegabytes,
        RequiresDuplicateDetection = topic.RequiresDuplicateDetection,
        DuplicateDetectionHistoryTimeWindow = topic.DuplicateDetectionHistoryTimeWindow,
        PartitionCount = topic.PartitionCount,
        MaxMessageSizeInKilobytes = topic.MaxMessageSizeInKilobytes,
        AutoDeleteOnIdle = topic.AutoDeleteOnIdle,
    };

    public CreateTopicOptions ToOptions(string? name = null) => ApplyTo(new CreateTopicOptions(name ?? Name));

    /// <summary>The settings given here over <paramref name="options"/> (the defaults, or an update's current settings).</summary>
    public CreateTopicOptions ApplyTo(CreateTopicOptions options)
    {
        options.DefaultMessageTimeToLive = DefaultMessageTimeToLive ?? options.DefaultMessageTimeToLive;
        options.MaxSizeInMegabytes = MaxSizeInMegabytes ?? options.MaxSizeInMegabytes;
        options.RequiresDuplicateDetection = RequiresDuplicateDetection ?? options.RequiresDuplicateDetection;
        options.DuplicateDetectionHistoryTimeWindow = DuplicateDetectionHistoryTimeWindow ?? options.DuplicateDetectionHistoryTimeWindow;
        options.PartitionCount = PartitionCount ?? options.PartitionCount;
        options.MaxMessageSizeInKilobytes = MaxMessageSizeInKilobytes ?? options.MaxMessageSizeInKilobytes;
        options.AutoDeleteOnIdle = AutoDeleteOnIdle ?? options.AutoDeleteOnIdle;
        return options;
    }
}
