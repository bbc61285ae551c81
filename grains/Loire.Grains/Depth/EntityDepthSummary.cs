using Loire.Entities;

namespace Loire.Grains.Depth;

/// <summary>The recorded depth of one entity, its partitions summed, as the catalog holds it.</summary>
public sealed record EntityDepthSummary
{
    public required string Path { get; init; }

    public required EntityKind Kind { get; init; }

    public long ActiveMessages { get; init; }

    public long ScheduledMessages { get; init; }

    public long DeferredMessages { get; init; }

    public long DeadLetterMessages { get; init; }

    public long SizeInBytes { get; init; }

    /// <summary>When the message waiting longest became available (over all partitions); null when none waits.</summary>
    public DateTimeOffset? OldestActiveAt { get; init; }

    /// <summary>The earliest scheduled enqueue time over all partitions; null when nothing is scheduled.</summary>
    public DateTimeOffset? NextScheduledAt { get; init; }

    /// <summary>
    /// False while some partition never recorded a depth (created before depths were recorded and not active
    /// since): its counts are missing until it activates, which the depth publisher makes happen.
    /// </summary>
    public bool IsRecorded { get; init; }

    /// <summary>Age of the oldest waiting message at <paramref name="now"/>; zero when none waits.</summary>
    public TimeSpan OldestMessageAge(DateTimeOffset now) =>
        OldestActiveAt is { } oldest && oldest < now ? now - oldest : TimeSpan.Zero;

    /// <summary>True when a scheduled message's time has come: its grain must run to make it active.</summary>
    public bool HasDueScheduledMessages(DateTimeOffset now) => ScheduledMessages > 0 && NextScheduledAt <= now;
}
