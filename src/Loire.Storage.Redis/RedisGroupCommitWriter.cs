using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Loire.Storage.Redis;

/// <summary>
/// The one loop that writes Redis. It takes every request waiting in its queue (up to the per-commit operation
/// limit), sends them as one Lua script (atomic, one round trip, one AOF write and fsync), and releases every waiter
/// when Redis answers; requests that arrive meanwhile form the next group.
/// </summary>
internal sealed class RedisGroupCommitWriter
{
    private readonly Channel<RedisWriteRequest> _queue = Channel.CreateUnbounded<RedisWriteRequest>(new UnboundedChannelOptions
    {
        SingleReader = true,
    });

    private readonly List<RedisWriteRequest> _group = [];
    private readonly List<RedisValue> _arguments = [];
    private readonly IDatabase _database;
    private readonly RedisLayout _layout;
    private readonly int _maxOperationsPerCommit;
    private readonly ILogger _logger;
    private readonly StoreMetrics _metrics;
    private Task _loop = Task.CompletedTask;
    private RedisWriteRequest? _carried;
    private long _commits;
    private long _committedBatches;
    private long _committedOperations;
    private long _failedCommits;

    /// <summary>Creates a writer on <paramref name="database"/>; call <see cref="Start"/> next.</summary>
    public RedisGroupCommitWriter(IDatabase database, RedisLayout layout, int maxOperationsPerCommit, ILogger logger,
        StoreMetrics metrics)
    {
        _database = database;
        _layout = layout;
        _maxOperationsPerCommit = maxOperationsPerCommit;
        _logger = logger;
        _metrics = metrics;
    }

    /// <summary>Group commits Redis executed so far.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Requests made durable so far.</summary>
    public long CommittedBatches => Interlocked.Read(ref _committedBatches);

    /// <summary>Operations made durable so far.</summary>
    public long CommittedOperations => Interlocked.Read(ref _committedOperations);

    /// <summary>Group commits that failed so far.</summary>
    public long FailedCommits => Interlocked.Read(ref _failedCommits);

    /// <summary>Starts the writer loop on the thread pool.</summary>
    public void Start() => _loop = Task.Run(RunAsync);

    /// <summary>Queues a request; false once the writer stopped accepting.</summary>
    public bool TryEnqueue(RedisWriteRequest request) => _queue.Writer.TryWrite(request);

    /// <summary>Stops accepting requests; those already queued are still committed (or failed) before the task completes.</summary>
    public Task StopAsync()
    {
        _queue.Writer.TryComplete();
        return _loop;
    }

    private async Task RunAsync()
    {
        try
        {
            while (await NextRequestAsync().ConfigureAwait(false) is { } first)
            {
                CollectGroup(first);
                if (_group.Count > 0)
                {
                    await CommitGroupAsync().ConfigureAwait(false);
                }
            }
        }
        catch (Exception exception)
        {
            // Not expected: each group catches its own failures. Refuse further work so no caller waits forever.
            RedisStoreLog.WriterCrashed(_logger, exception);
            _queue.Writer.TryComplete(exception);
            FailAll(_group, exception);
            _carried?.Fail(RedisStoreErrors.Unavailable("The message store writer stopped.", exception));
            while (_queue.Reader.TryRead(out var orphan))
            {
                orphan.Fail(RedisStoreErrors.Unavailable("The message store writer stopped.", exception));
            }
        }
    }

    private async ValueTask<RedisWriteRequest?> NextRequestAsync()
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

            if (!await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                return null;
            }
        }
    }

    private void CollectGroup(RedisWriteRequest first)
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

            if (operations > 0 && operations + next.OperationCount > _maxOperationsPerCommit)
            {
                // An oversized batch waits for the next group, which it then has to itself.
                _carried = next;
                return;
            }

            request = next;
        }
    }

    private async Task CommitGroupAsync()
    {
        var started = Stopwatch.GetTimestamp();
        var operations = 0;
        var expectedResults = 0;
        _arguments.Clear();
        _arguments.Add(_layout.Prefix);
        foreach (var request in _group)
        {
            request.AppendArguments(_arguments);
            operations += request.OperationCount;
            expectedResults += request.ResultCount;
        }

        long[] results;
        try
        {
            var reply = await _database.ScriptEvaluateAsync(RedisLayout.CommitScript, keys: null, values: [.. _arguments])
                .ConfigureAwait(false);
            results = reply.IsNull ? [] : (long[])reply!;
            if (results.Length != expectedResults)
            {
                throw new InvalidOperationException(
                    $"The commit script returned {results.Length} results where {expectedResults} were expected.");
            }
        }
        catch (Exception exception)
        {
            // Whatever went wrong (connection, timeout, a refused command, an unexpected reply), the whole group fails
            // alone and the loop goes on with the next one.
            Interlocked.Increment(ref _failedCommits);
            _metrics.RecordCommit(started, 0, succeeded: false);
            RedisStoreLog.CommitFailed(_logger, exception, _group.Count, operations);
            FailAll(_group, exception);
            _group.Clear();
            _arguments.Clear();
            return;
        }

        Interlocked.Increment(ref _commits);
        Interlocked.Add(ref _committedBatches, _group.Count);
        Interlocked.Add(ref _committedOperations, operations);
        _metrics.RecordCommit(started, operations, succeeded: true);
        var offset = 0;
        foreach (var request in _group)
        {
            request.Succeed(results.AsSpan(offset, request.ResultCount));
            offset += request.ResultCount;
        }

        _group.Clear();
        _arguments.Clear();
    }

    private static void FailAll(List<RedisWriteRequest> requests, Exception cause)
    {
        foreach (var request in requests)
        {
            // One exception per waiter: a shared instance would have its stack trace rewritten by concurrent awaits.
            request.Fail(RedisStoreErrors.Unavailable(
                "The message store could not commit to Redis; the batch was not applied (after a timeout: its outcome is unknown).", cause));
        }
    }
}
