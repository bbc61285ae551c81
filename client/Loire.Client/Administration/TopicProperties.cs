using Loire.Entities;

namespace Loire.Client.Administration;

/// <summary>A topic's settings, as the broker holds them.</summary>
public sealed class TopicProperties
{
    internal TopicProperties(EntityDescription description)
    {
        var options = description.Options;
        Name = description.Path;
        DefaultMessageTimeToLive = options.DefaultMessageTimeToLive;
        MaxSizeInMegabytes = options.MaxSizeInMegabytes;
        RequiresDuplicateDetection = options.RequiresDuplicateDetection;
        DuplicateDetectionHistoryTimeWindow = options.DuplicateDetectionHistoryTimeWindow;
        PartitionCount = options.PartitionCount;
        MaxMessageSizeInKilobytes = options.MaxMessageSizeInKilobytes;
        AutoDeleteOnIdle = options.AutoDeleteOnIdle;
        CreatedAt = description.CreatedAt;
        UpdatedAt = description.UpdatedAt;
    }

    /// <summary>The topic's path.</summary>
    public string Name { get; }

    /// <summary>Time to live of messages that set none; <see cref="TimeSpan.MaxValue"/> means never expire.</summary>
    public TimeSpan DefaultMessageTimeToLive { get; }

    /// <summary>Most megabytes the topic may hold.</summary>
    public long MaxSizeInMegabytes { get; }

    /// <summary>Whether resends of a recent MessageId are dropped.</summary>
    public bool RequiresDuplicateDetection { get; }

    /// <summary>How long MessageIds are remembered for duplicate detection.</summary>
    public TimeSpan DuplicateDetectionHistoryTimeWindow { get; }

    /// <summary>Number of partitions the topic spreads over.</summary>
    public int PartitionCount { get; }

    /// <summary>Largest accepted message, in KiB.</summary>
    public int MaxMessageSizeInKilobytes { get; }

    /// <summary>Idle time after which the topic deletes itself; <see cref="TimeSpan.MaxValue"/> means never.</summary>
    public TimeSpan AutoDeleteOnIdle { get; }

    /// <summary>When the topic was created.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>When the topic's settings last changed.</summary>
    public DateTimeOffset UpdatedAt { get; }

    /// <inheritdoc />
    public override string ToString() => $"Topic {Name}";
}
