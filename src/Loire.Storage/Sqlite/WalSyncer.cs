namespace Loire.Storage.Sqlite;

/// <summary>
/// Makes committed groups durable beside the writer, so the writer applies and commits the next group while the
/// previous one is being flushed, instead of waiting for every flush itself (with <c>synchronous=FULL</c> the COMMIT
/// is write + fsync, about half of each group's cycle). The writer commits with <c>synchronous=NORMAL</c>, which in
/// WAL mode writes the group's frames to the WAL file without flushing it; this thread then flushes the WAL file and
/// only then releases the group's waiters, in commit order. Every write made before a flush starts is covered by it,
/// so one flush releases every group handed over by then.
/// </summary>
/// <remarks>
/// This is as durable as <c>synchronous=FULL</c>: a waiter is released only after the frames of its commit are on
/// stable storage, and SQLite ignores a torn tail of unflushed frames on recovery. Frames are only rewritten once a
/// checkpoint copied them into the database and flushed it (SQLite flushes both around every checkpoint under
/// <c>synchronous=NORMAL</c>), so a flush that finds the WAL rewound still covers every earlier group. Other
/// connections may read a group before it is flushed, as they may a commit whose flush is under way under FULL; no
/// waiter is released early. A failed flush fails its waiters with an open outcome and stops the writer, since
/// the kernel may already have dropped the unwritten pages (a second flush would wrongly succeed).
/// </remarks>
internal sealed class WalSyncer
{
    private readonly object _lock = new();
    private readonly Queue<CommittedGroup> _pending = new();
    private readonly Thread _thread;
    private readonly StoreMetrics _metrics;
    private readonly StoreFaultHooks _hooks;
    private readonly Action<Exception> _onFailed;
    private WalFile? _current;
    private Exception? _failure;
    private bool _stopping;

    public WalSyncer(StoreMetrics metrics, StoreFaultHooks hooks, Action<Exception> onFailed)
    {
        _metrics = metrics;
        _hooks = hooks;
        _onFailed = onFailed;
        _thread = new Thread(Run) { IsBackground = true, Name = "Loire store WAL syncer" };
    }

    public void Start() => _thread.Start();

    /// <summary>Hands over a group the writer committed to <paramref name="wal"/>; its waiters are released once it is flushed.</summary>
    public void Enqueue(WalFile wal, GroupedWrite[] requests, long startedTimestamp, int operations)
    {
        lock (_lock)
        {
            if (_failure is { } failure)
            {
                Fail(requests, failure);
                return;
            }

            _pending.Enqueue(new CommittedGroup(wal, requests, startedTimestamp, operations));
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>
    /// Waits until the syncer has taken every group handed over (it is flushing them). The writer calls this before
    /// it collects a group, so a group keeps collecting for as long as a flush takes: without it a fast writer would
    /// commit many small groups per flush, and each commit rewrites the B-tree pages it touched into the WAL.
    /// </summary>
    public void WaitForHandOff()
    {
        lock (_lock)
        {
            while (_pending.Count > 0 && _failure is null)
            {
                Monitor.Wait(_lock);
            }
        }
    }

    /// <summary>Flushes and releases every group handed over so far, then ends the thread and closes the WAL handle.</summary>
    public void Stop()
    {
        lock (_lock)
        {
            _stopping = true;
            Monitor.PulseAll(_lock);
        }

        _thread.Join();
    }

    private void Run()
    {
        var groups = new List<CommittedGroup>();
        try
        {
            while (TakeAll(groups))
            {
                SyncAndRelease(groups);
                groups.Clear();
            }
        }
        finally
        {
            _current?.Dispose();
        }
    }

    private bool TakeAll(List<CommittedGroup> groups)
    {
        lock (_lock)
        {
            while (_pending.Count == 0)
            {
                if (_stopping)
                {
                    return false;
                }

                Monitor.Wait(_lock);
            }

            groups.AddRange(_pending);
            _pending.Clear();
            Monitor.PulseAll(_lock);
            return true;
        }
    }

    private void SyncAndRelease(List<CommittedGroup> groups)
    {
        try
        {
            _hooks.OnWalSync();
            foreach (var group in groups)
            {
                // A new writer connection (after a failed commit) may mean a new WAL file; the old one's groups come first.
                if (!ReferenceEquals(group.Wal, _current))
                {
                    if (_current is not null)
                    {
                        _current.Flush();
                        _current.Dispose();
                    }

                    _current = group.Wal;
                }
            }

            _current!.Flush();
        }
        catch (Exception exception)
        {
            lock (_lock)
            {
                _failure = StoreErrors.Unavailable(
                    "The message store could not flush its log to disk; the batch may or may not survive a power loss.", exception);
                foreach (var group in groups.Concat(_pending))
                {
                    Fail(group.Requests, _failure);
                }

                _pending.Clear();
                Monitor.PulseAll(_lock);
            }

            _onFailed(exception);
            return;
        }

        foreach (var group in groups)
        {
            _metrics.RecordCommit(group.StartedTimestamp, group.Operations, succeeded: true);
            foreach (var request in group.Requests)
            {
                request.Succeed();
            }
        }
    }

    private static void Fail(GroupedWrite[] requests, Exception failure)
    {
        foreach (var request in requests)
        {
            // One exception per waiter: a shared instance would have its stack trace rewritten by concurrent awaits.
            request.Fail(StoreErrors.Unavailable(failure.Message, failure.InnerException));
        }
    }

    private sealed record CommittedGroup(WalFile Wal, GroupedWrite[] Requests, long StartedTimestamp, int Operations);
}
