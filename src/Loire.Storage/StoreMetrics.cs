using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Loire.Storage;

/// <summary>The instruments every message store records on the "Loire" meter, tagged with the store's name.</summary>
public sealed class StoreMetrics
{
    /// <summary>Name of the meter shared by every Loire instrument.</summary>
    public const string MeterName = "Loire";

    // Used when no IMeterFactory is supplied (tests, tools); listeners still find it by name.
    private static readonly Meter _sharedMeter = new(MeterName);

    private static readonly KeyValuePair<string, object?> _successTag = new("loire.store.outcome", "success");
    private static readonly KeyValuePair<string, object?> _failureTag = new("loire.store.outcome", "failure");

    private readonly Histogram<double> _commitDuration;
    private readonly Histogram<int> _commitBatchSize;
    private readonly Counter<long> _commits;
    private readonly Histogram<double> _checkpointDuration;
    private readonly KeyValuePair<string, object?> _storeTag;

    /// <summary>Creates the instruments on the factory's "Loire" meter, or on a process-wide one when there is no factory.</summary>
    /// <param name="storeName">The value of the <c>loire.store</c> tag, e.g. "sqlite" or "redis".</param>
    /// <param name="meterFactory">Where the meter comes from; null for the process-wide meter.</param>
    public StoreMetrics(string storeName, IMeterFactory? meterFactory)
    {
        _storeTag = new("loire.store", storeName);
        var meter = meterFactory?.Create(new MeterOptions(MeterName)) ?? _sharedMeter;
        _commitDuration = meter.CreateHistogram<double>("loire.store.commit.duration", "ms",
            "Time from the start of a group commit to its durable end.");
        _commitBatchSize = meter.CreateHistogram<int>("loire.store.commit.batch_size", "{operation}",
            "Operations made durable by one group commit.");
        _commits = meter.CreateCounter<long>("loire.store.commits", "{commit}",
            "Group commits, by outcome.");
        _checkpointDuration = meter.CreateHistogram<double>("loire.store.checkpoint.duration", "ms",
            "Time one background WAL checkpoint took (beside the writer, not inside a commit).");
    }

    /// <summary>Records a group commit that started at <paramref name="startTimestamp"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public void RecordCommit(long startTimestamp, int operations, bool succeeded)
    {
        var outcome = succeeded ? _successTag : _failureTag;
        _commitDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds, _storeTag, outcome);
        _commits.Add(1, _storeTag, outcome);
        if (succeeded)
        {
            _commitBatchSize.Record(operations, _storeTag);
        }
    }

    /// <summary>Records a background WAL checkpoint that started at <paramref name="startTimestamp"/>.</summary>
    public void RecordCheckpoint(long startTimestamp) =>
        _checkpointDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds, _storeTag);
}
