using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Loire.Storage.Sqlite;

/// <summary>
/// The one thread that writes the database. It takes every request waiting in its queue (up to the per-commit
/// operation limit), applies them in a single transaction with one savepoint each, commits once and then releases
/// every waiter; requests that arrive meanwhile form the next group. Between groups it runs compaction. With
/// <see cref="SqliteDurability.Full"/> a committed group's waiters are released by the <see cref="WalSyncer"/> once
/// the WAL is flushed, while this thread goes on with the next group.
/// </summary>
internal sealed class GroupCommitWriter
{
    // Longer intervals are as good as "never" and would overflow timestamp arithmetic.
    private const double MaxCompactionIntervalSeconds = 365 * 24 * 3600;

    // A compaction (TRUNCATE checkpoint, page release) stalls every commit behind it for tens of milliseconds, so a
    // due pass waits until no request came for this long; a store that never gets that quiet runs it anyway once it
    // is this many intervals late, so free pages and the WAL file do not stay at their high-water mark for good.
    private const int CompactionQuietMilliseconds = 250;
    private const int CompactionMaxDelayIntervals = 10;

    private readonly Channel<WriteRequest> _queue = Channel.CreateUnbounded<WriteRequest>(new UnboundedChannelOptions
    {
        SingleReader = true,
        // The only reader is this class's thread blocked in Task.Wait; running its wake-up inline on the producer
        // saves a thread-pool hop per idle-to-busy transition and cannot run foreign code.
        AllowSynchronousContinuations = true,
    });

    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<GroupedWrite> _group = [];
    private readonly SqliteMessageStoreOptions _options;
    private readonly int _maxOperationsPerCommit;
    private readonly long _compactionIntervalTicks;
    private readonly ILogger _logger;
    private readonly StoreMetrics _metrics;
    private readonly StoreFaultHooks _hooks;
    private readonly WalCheckpointer _checkpointer;
    private readonly WalSyncer? _syncer;
    private readonly Thread _thread;

    private WriterConnection? _connection;
    private WalFile _walFile;
    private WriteRequest? _carried;
    private Task<bool>? _pendingWait;
    private bool _writtenSinceCompaction;
    private long _nextCompactionTimestamp;
    private long _commits;
    private long _committedBatches;
    private long _committedOperations;
    private long _failedCommits;
    private long _compactions;

    /// <summary>Takes ownership of the already opened <paramref name="connection"/>; call <see cref="Start"/> next.</summary>
    public GroupCommitWriter(WriterConnection connection, SqliteMessageStoreOptions options, ILogger logger, StoreMetrics metrics,
        StoreFaultHooks hooks)
    {
        _connection = connection;
        _options = options;
        _maxOperationsPerCommit = options.MaxOperationsPerCommit;
        _compactionIntervalTicks = options.CompactionInterval == Timeout.InfiniteTimeSpan
            ? -1
            : (long)(Math.Min(options.CompactionInterval.TotalSeconds, MaxCompactionIntervalSeconds) * Stopwatch.Frequency);
        _logger = logger;
        _metrics = metrics;
        _hooks = hooks;
        _checkpointer = new WalCheckpointer(options, logger, metrics);
        _walFile = new WalFile(options.WalPath);
        if (options.Durability == SqliteDurability.Full)
        {
            _syncer = new WalSyncer(metrics, hooks, StopAfterFailedFlush);
        }

        _thread = new Thread(Run) { IsBackground = true, Name = "Loire store writer" };
    }

    /// <summary>Completes when the writer has drained its queue, checkpointed and closed the database.</summary>
    public Task Stopped => _stopped.Task;

    /// <summary>Durable transactions so far.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Requests made durable so far.</summary>
    public long CommittedBatches => Interlocked.Read(ref _committedBatches);

    /// <summary>Operations made durable so far.</summary>
    public long CommittedOperations => Interlocked.Read(ref _committedOperations);

    /// <summary>Group commits that failed so far.</summary>
    public long FailedCommits => Interlocked.Read(ref _failedCommits);

    /// <summary>Compaction passes run so far.</summary>
    public long Compactions => Interlocked.Read(ref _compactions);

    /// <summary>Starts the writer thread.</summary>
    public void Start()
    {
        _nextCompactionTimestamp = NextCompactionTimestamp();
        _checkpointer.Start();
        _syncer?.Start();
        _thread.Start();
    }

    /// <summary>Queues a request; false once the writer stopped accepting (after <see cref="Stop"/> or a crash).</summary>
    public bool TryEnqueue(WriteRequest request) => _queue.Writer.TryWrite(request);

    /// <summary>Stops accepting requests; those already queued are still committed before <see cref="Stopped"/> completes.</summary>
    public Task Stop()
    {
        _queue.Writer.TryComplete();
        return _stopped.Task;
    }

    private void Run()
    {
        try
        {
            while (NextRequest() is { } request)
            {
                if (request is CompactionRequest compaction)
                {
                    RunRequestedCompaction(compaction);
                    continue;
                }

                _syncer?.WaitForHandOff();
                CollectGroup((GroupedWrite)request);
                if (_group.Count > 0)
                {
                    CommitGroup();
                }

                if (IsCompactionOverdue())
                {
                    RunCompaction(force: false);
                }
            }

            // Leave a truncated WAL behind, so the next open does not replay it; a background pass would contend.
            _checkpointer.Stop();
            RunCompaction(force: false);
        }
        catch (Exception exception)
        {
            // Not expected: each group catches its own failures. Refuse further work so no caller waits forever.
            StoreLog.WriterCrashed(_logger, exception);
            _queue.Writer.TryComplete(exception);
            FailAll(_group, exception);
            _carried?.Fail(StoreErrors.Unavailable("The message store writer stopped.", exception));
            while (_queue.Reader.TryRead(out var orphan))
            {
                orphan.Fail(StoreErrors.Unavailable("The message store writer stopped.", exception));
            }
        }
        finally
        {
            try
            {
                _checkpointer.Stop();

                // Groups committed before the stop (or the crash) are durable once flushed: their waiters succeed.
                _syncer?.Stop();
                _connection?.Dispose();
                _connection = null;
            }
            finally
            {
                _stopped.TrySetResult();
            }
        }
    }

    private WriteRequest? NextRequest()
    {
        if (_carried is { } carried)
        {
            _carried = null;
            return carried;
        }

        var reader = _queue.Reader;
        while (true)
        {
            if (reader.TryRead(out var request))
            {
                return request;
            }

            // The wait task survives a timeout, so the channel never has more than one waiter of ours.
            var wait = _pendingWait ??= reader.WaitToReadAsync().AsTask();
            if (!wait.Wait(MillisecondsUntilQuietCompaction()))
            {
                RunCompaction(force: false);
                continue;
            }

            _pendingWait = null;
            if (!wait.Result)
            {
                return null;
            }
        }
    }

    private void CollectGroup(GroupedWrite first)
    {
        _group.Clear();
        var operations = 0;
        var request = first;
        while (true)
        {
            if (request.TryClaim())
            {
                _group.Add(request);
                operations += request.OperationCount;
            }

            if (operations >= _maxOperationsPerCommit || !_queue.Reader.TryRead(out var next))
            {
                return;
            }

            // A compaction request waits for the group before it; an oversized batch waits for the next group.
            if (next is not GroupedWrite grouped || (operations > 0 && operations + grouped.OperationCount > _maxOperationsPerCommit))
            {
                _carried = next;
                return;
            }

            request = grouped;
        }
    }

    private void CommitGroup()
    {
        var started = Stopwatch.GetTimestamp();
        var appliedBatches = 0;
        var appliedOperations = 0;
        try
        {
            var connection = _connection ?? Reopen();
            connection.BeginTransaction();
            try
            {
                foreach (var request in _group)
                {
                    if (TryApply(connection, request))
                    {
                        appliedBatches++;
                        appliedOperations += request.OperationCount;
                    }
                }

                _hooks.OnCommit();
                connection.CommitTransaction();
            }
            catch
            {
                connection.TryRollbackTransaction();
                throw;
            }
        }
        catch (Exception exception)
        {
            Interlocked.Increment(ref _failedCommits);
            _metrics.RecordCommit(started, 0, succeeded: false);
            StoreLog.CommitFailed(_logger, exception, _group.Count, _group.Sum(r => r.OperationCount));
            // Reopen for the next group: after an I/O error the connection's state is not worth trusting.
            _connection?.Dispose();
            _connection = null;
            FailAll(_group, exception);
            _group.Clear();
            return;
        }

        _writtenSinceCompaction = true;
        _checkpointer.OnCommitted(_connection!.TakeWrittenBytes());
        Interlocked.Increment(ref _commits);
        Interlocked.Add(ref _committedBatches, appliedBatches);
        Interlocked.Add(ref _committedOperations, appliedOperations);
        if (_syncer is { } syncer)
        {
            syncer.Enqueue(_walFile, [.. _group], started, appliedOperations);
        }
        else
        {
            _metrics.RecordCommit(started, appliedOperations, succeeded: true);
            foreach (var request in _group)
            {
                request.Succeed();
            }
        }

        _group.Clear();
    }

    /// <summary>Opens a new connection after a failed commit; its WAL file may be a new one, so the syncer flushes that.</summary>
    private WriterConnection Reopen()
    {
        _connection = WriterConnection.Open(_options);
        _walFile = new WalFile(_options.WalPath);
        return _connection;
    }

    /// <summary>A failed flush: the syncer failed the waiters; take no more requests (those queued fail the same way).</summary>
    private void StopAfterFailedFlush(Exception exception)
    {
        StoreLog.WalFlushFailed(_logger, exception);
        _queue.Writer.TryComplete();
    }

    private bool TryApply(WriterConnection connection, GroupedWrite request)
    {
        connection.BeginBatch();
        try
        {
            request.Apply(connection, _hooks);
            connection.EndBatch();
            return true;
        }
        catch (Exception exception)
        {
            if (!connection.TryUndoBatch())
            {
                // SQLite gave up the whole transaction: no batch of this group can commit.
                throw;
            }

            // Completing now is safe: whatever happens to the group, nothing of this batch will be applied.
            if (exception is StaleEpochException stale)
            {
                // Expected after an activation moved: its caller gets the fence's own error, not a store failure.
                StoreLog.BatchFenced(_logger, stale.Fence.EntityPath, stale.Fence.Epoch, stale.CurrentEpoch);
                request.Fail(stale);
            }
            else
            {
                StoreLog.BatchRejected(_logger, exception, request.OperationCount);
                request.Fail(StoreErrors.BatchRejected(exception));
            }

            return false;
        }
    }

    private static void FailAll(List<GroupedWrite> requests, Exception cause)
    {
        foreach (var request in requests)
        {
            // One exception per waiter: a shared instance would have its stack trace rewritten by concurrent awaits.
            request.Fail(StoreErrors.Unavailable("The message store could not commit; nothing of the batch was applied.", cause));
        }
    }

    private void RunRequestedCompaction(CompactionRequest request)
    {
        if (!request.TryClaim())
        {
            return;
        }

        try
        {
            RunCompaction(force: true, rethrow: true);
            request.Succeed();
        }
        catch (Exception exception)
        {
            request.Fail(StoreErrors.Unavailable("The message store could not compact.", exception));
        }
    }

    private void RunCompaction(bool force, bool rethrow = false)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var connection = _connection ??= WriterConnection.Open(_options);
            var result = _checkpointer.RunExclusive(() => connection.Compact(force));
            _writtenSinceCompaction = false;
            Interlocked.Increment(ref _compactions);
            var level = result.ReleasedPages > 0 || result.CheckpointBlocked ? LogLevel.Information : LogLevel.Debug;
            StoreLog.Compacted(_logger, level, result.ReleasedPages, result.RemainingFreePages, result.CheckpointedFrames,
                result.WalFrames, result.CheckpointBlocked, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception exception)
        {
            StoreLog.CompactionFailed(_logger, exception);
            if (rethrow)
            {
                throw;
            }
        }
        finally
        {
            _nextCompactionTimestamp = NextCompactionTimestamp();
        }
    }

    private bool IsCompactionOverdue() =>
        _writtenSinceCompaction && _compactionIntervalTicks > 0
        && Stopwatch.GetTimestamp() >= _nextCompactionTimestamp + (CompactionMaxDelayIntervals - 1) * _compactionIntervalTicks;

    /// <summary>How long the idle writer waits for a request before it compacts: until the pass is due, and at least
    /// the quiet period, so the pass never lands just before the next request.</summary>
    private int MillisecondsUntilQuietCompaction()
    {
        if (!_writtenSinceCompaction || _compactionIntervalTicks <= 0)
        {
            return Timeout.Infinite;
        }

        var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), _nextCompactionTimestamp);
        return (int)Math.Clamp(Math.Ceiling(remaining.TotalMilliseconds), CompactionQuietMilliseconds, int.MaxValue);
    }

    private long NextCompactionTimestamp() =>
        _compactionIntervalTicks > 0 ? Stopwatch.GetTimestamp() + _compactionIntervalTicks : long.MaxValue;
}
