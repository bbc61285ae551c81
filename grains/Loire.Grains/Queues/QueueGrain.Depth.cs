using Loire.Messages;
using Loire.Storage;
using Microsoft.Extensions.Logging;

namespace Loire.Grains.Queues;

/// <summary>
/// The entity's depth in the catalog, so depth gauges and autoscalers read every entity, idle or active, without
/// activating it. Every write carries the depth as it will be once the write lands for what a send adds (an
/// acknowledged send is never missing from it); what lands in the index only after its commit (settlements) or
/// without any write (scheduled messages coming due) is recorded by a depth-only write shortly after.
/// </summary>
internal sealed partial class QueueGrain
{
    private static readonly TimeSpan DepthRecordDelay = TimeSpan.FromSeconds(1);

    private EntityDepth? _recordedDepth;
    private IGrainTimer? _depthTimer;

    // Scheduled messages among the sends admitted but not yet durable, one entry per send batch that has any
    // (_pendingCount counts them all): the depth a send carries must know when they come due.
    private readonly List<PendingScheduled> _pendingScheduled = [];

    /// <summary>The depth as it will be once every write in flight has landed.</summary>
    private EntityDepth CurrentDepth()
    {
        var now = time.GetUtcNow();
        var pendingScheduled = 0L;
        var nextScheduled = _index.NextScheduledAt();
        foreach (var pending in _pendingScheduled)
        {
            pendingScheduled += pending.Count;
            nextScheduled = nextScheduled is { } next && next <= pending.Earliest ? next : pending.Earliest;
        }

        var pendingActive = _pendingCount - pendingScheduled;
        var oldest = _index.OldestAvailable() is { } entry ? AvailableSince(entry) : pendingActive > 0 ? now : (DateTimeOffset?)null;
        return new EntityDepth(
            _index.ActiveCount + pendingActive,
            _index.ScheduledCount + pendingScheduled,
            _index.DeferredCount,
            _index.DeadLetterCount,
            _index.SizeInBytes + _pendingBytes,
            oldest,
            nextScheduled,
            now);
    }

    /// <summary>The scheduled messages of a send batch; null when it has none.</summary>
    private static PendingScheduled? ScheduledIn(MessageEntry[] entries)
    {
        var count = 0;
        var earliest = DateTimeOffset.MaxValue;
        foreach (var entry in entries)
        {
            if (entry.State == MessageState.Scheduled && entry.Stored.Message.ScheduledEnqueueTime is { } due)
            {
                count++;
                earliest = due < earliest ? due : earliest;
            }
        }

        return count == 0 ? null : new PendingScheduled(count, earliest);
    }

    private static DateTimeOffset AvailableSince(MessageEntry entry) =>
        entry.Stored.Message.ScheduledEnqueueTime is { } scheduled && scheduled > entry.Stored.EnqueuedTime ? scheduled : entry.Stored.EnqueuedTime;

    /// <summary>Adds the current depth to a batch about to be queued (the store applies batches in queue order).</summary>
    private void AddDepth(StoreBatch batch)
    {
        if (_document is null)
        {
            return;
        }

        var depth = CurrentDepth();
        batch.PutDepth(Path, depth);
        _recordedDepth = depth;
    }

    /// <summary>Makes sure the depth is recorded again soon, in case what just changed is not in the last recorded one.</summary>
    private void ScheduleDepthRecord()
    {
        if (_depthTimer is null && _document is not null)
        {
            _depthTimer = this.RegisterGrainTimer(RecordDepthAsync, new GrainTimerCreationOptions(DepthRecordDelay, Timeout.InfiniteTimeSpan)
            {
                Interleave = true,
                KeepAlive = false,
            });
        }
    }

    private Task RecordDepthAsync(CancellationToken cancellationToken)
    {
        _depthTimer?.Dispose();
        _depthTimer = null;

        // A write in flight records the depth and schedules the next look when it ends.
        return _writesInFlight > 0 ? Task.CompletedTask : RecordDepthIfChangedAsync();
    }

    /// <summary>Records the depth unless the last recorded one has the same counts; on deactivation, so the catalog is exact while the entity is idle.</summary>
    private async Task RecordDepthIfChangedAsync()
    {
        _depthTimer?.Dispose();
        _depthTimer = null;
        if (_document is null || Fence.IsSuperseded || (_recordedDepth is { } recorded && recorded.SameCountsAs(CurrentDepth())))
        {
            return;
        }

        try
        {
            await WriteAsync(new StoreBatch(), CancellationToken.None);
        }
        catch (Exception exception)
        {
            // Recorded by the next write, or the next activation.
            LogDepthWriteFailed(Path, exception);
        }
    }

    /// <summary>Equal entries are interchangeable, so a finished batch may remove any entry equal to its own.</summary>
    private readonly record struct PendingScheduled(int Count, DateTimeOffset Earliest);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The depth of {Entity} could not be recorded; it is recorded with the next write")]
    private partial void LogDepthWriteFailed(string entity, Exception exception);
}
