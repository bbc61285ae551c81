using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Loire.Storage.Redis;

/// <summary>
/// The clustered <see cref="IMessageStore"/>: every silo writes the same Redis server (a single primary; Redis Cluster
/// is not supported).
/// </summary>
/// <remarks>
/// <para>
/// <b>Durability.</b> A commit is acknowledged when Redis answers its script. That is durable only when Redis runs with
/// an fsynced append-only file: start it with <c>--appendonly yes --appendfsync always</c> (the test fixtures add
/// <c>--save ""</c>). With <c>appendfsync always</c> Redis writes and fsyncs the AOF before it replies, so a reply
/// means the commit survives <c>kill -9</c> of Redis and a power loss. The store logs a warning at connect time when it
/// can read (CONFIG GET) that Redis is configured otherwise.
/// </para>
/// <para>
/// <b>Group commit.</b> One writer loop takes every batch waiting when a commit starts and sends them all as one Lua
/// script: atomic (Redis runs a script alone, and the AOF records it as one MULTI/EXEC), one round trip and one fsync.
/// Batches are validated before they are queued so no command of the script can fail half-way; when the script or the
/// connection fails, every batch of the group fails with <c>StoreUnavailable</c>. A failure the client sees before
/// sending means nothing was applied; after a timeout the outcome is unknown (the script may have run): callers retry,
/// and every operation is idempotent.
/// </para>
/// <para>
/// <b>Data model</b> (prefix P = <see cref="RedisMessageStoreOptions.KeyPrefix"/>): hash <c>P m:{entity}</c> maps the
/// decimal sequence number to the payload, hash <c>P s:{entity}</c> maps it to the delivery state; hash <c>P e</c>
/// maps an entity path to its 4-byte big-endian kind followed by its description; sorted set <c>P ek</c> (all scores
/// 0) holds every path, so ZRANGEBYLEX lists the catalog in ordinal order; hash <c>P f</c> holds each entity's current
/// epoch. A fenced batch is checked inside the script, so a stale one is skipped alone and the rest of its group applies.
/// </para>
/// <para>
/// <b>Failures.</b> The client does not queue commands while disconnected: with Redis down every call fails at once
/// (at most after <see cref="RedisMessageStoreOptions.OperationTimeout"/>) with <c>LoireException(StoreUnavailable)</c>,
/// and the store recovers by itself when Redis is back (the client reconnects in the background).
/// </para>
/// <para>
/// Thread-safe. The writer reads a committed <see cref="StoreBatch"/> (and the memory its operations point to) until
/// the commit task completes. After <see cref="DisposeAsync"/> every member throws <see cref="ObjectDisposedException"/>.
/// </para>
/// </remarks>
public sealed class RedisMessageStore : IMessageStore, IDisposable
{
    // Catalog paths read per ZRANGEBYLEX round trip while listing.
    private const int ListChunk = 256;

    private readonly RedisMessageStoreOptions _options;
    private readonly ILogger _logger;
    private readonly ConnectionMultiplexer _connection;
    private readonly IDatabase _database;
    private readonly RedisLayout _layout;
    private readonly RedisGroupCommitWriter _writer;
    private int _disposed;

    /// <summary>
    /// Connects synchronously (blocking for at most <see cref="RedisMessageStoreOptions.OperationTimeout"/>; it does not
    /// fail when Redis is down, the first calls then fail with <c>StoreUnavailable</c>). Hosts should prefer
    /// <see cref="ConnectAsync"/>, which does not block a thread and also checks Redis's persistence settings (or call
    /// <see cref="CheckDurabilityAsync"/> themselves).
    /// Instruments go to <paramref name="meterFactory"/>'s "Loire" meter, or to a process-wide "Loire" meter without one.
    /// </summary>
    public RedisMessageStore(RedisMessageStoreOptions options, ILogger<RedisMessageStore>? logger = null,
        IMeterFactory? meterFactory = null)
        : this(Prepare(options), logger, meterFactory, connection: null)
    {
    }

    private RedisMessageStore(RedisMessageStoreOptions options, ILogger? logger, IMeterFactory? meterFactory,
        ConnectionMultiplexer? connection)
    {
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        try
        {
            _connection = connection ?? ConnectionMultiplexer.Connect(ClientConfiguration(options));
        }
        catch (Exception exception) when (RedisStoreErrors.IsStoreFailure(exception))
        {
            throw RedisStoreErrors.Unavailable($"The Redis message store cannot connect to '{options.Configuration}'.", exception);
        }

        _connection.ConnectionFailed += OnConnectionFailed;
        _connection.ConnectionRestored += OnConnectionRestored;
        _database = _connection.GetDatabase();
        _layout = new RedisLayout(options.KeyPrefix);
        _writer = new RedisGroupCommitWriter(_database, _layout, options.MaxOperationsPerCommit, _logger, new StoreMetrics("redis", meterFactory));
        _writer.Start();
        RedisStoreLog.Opened(_logger, string.Join(",", _connection.GetEndPoints().Select(e => e.ToString())), options.KeyPrefix,
            _connection.IsConnected);
    }

    /// <summary>
    /// Connects without blocking a thread and returns the store; the form the silo should use. Like the constructor it
    /// succeeds when Redis is down (calls fail with <c>StoreUnavailable</c> until it is back). When Redis answers, it
    /// also reads its persistence settings and logs a warning unless they are <c>appendonly yes</c> and
    /// <c>appendfsync always</c>.
    /// </summary>
    public static async Task<RedisMessageStore> ConnectAsync(RedisMessageStoreOptions options, ILogger<RedisMessageStore>? logger = null,
        IMeterFactory? meterFactory = null)
    {
        var snapshot = Prepare(options);
        ConnectionMultiplexer connection;
        try
        {
            connection = await ConnectionMultiplexer.ConnectAsync(ClientConfiguration(snapshot)).ConfigureAwait(false);
        }
        catch (Exception exception) when (RedisStoreErrors.IsStoreFailure(exception))
        {
            throw RedisStoreErrors.Unavailable($"The Redis message store cannot connect to '{snapshot.Configuration}'.", exception);
        }

        var store = new RedisMessageStore(snapshot, logger, meterFactory, connection);
        await store.CheckDurabilityAsync(CancellationToken.None).ConfigureAwait(false);
        return store;
    }

    /// <summary>The key prefix of every key this store writes.</summary>
    public string KeyPrefix => _options.KeyPrefix;

    /// <inheritdoc />
    /// <remarks>
    /// Completes once the batch's group commit was answered by Redis (durable, see the class remarks). Fails with
    /// <see cref="LoireErrorReason.StoreUnavailable"/> when Redis cannot be reached or times out, and with
    /// <see cref="StaleEpochException"/> when the batch is fenced with a stale epoch (nothing of it applied). Cancelling
    /// <paramref name="cancellationToken"/> drops the batch only while it still waits in the queue. An empty batch
    /// completes at once. Throws <see cref="ArgumentException"/> for an operation without an entity path (or a
    /// PutEntity without a record).
    /// </remarks>
    public ValueTask CommitAsync(StoreBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ThrowIfDisposed();
        if (batch.IsEmpty)
        {
            return ValueTask.CompletedTask;
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        StoreInput.ValidateBatch(batch);
        var request = new RedisBatchWrite(batch, cancellationToken);
        Enqueue(request);
        return new ValueTask(request.Completion);
    }

    /// <inheritdoc />
    /// <remarks>Goes through the writer like a batch (HSETNX inside the group's script): true only once the entry is durable.</remarks>
    public Task<bool> TryCreateEntityAsync(EntityRecord entity, CancellationToken cancellationToken = default)
    {
        StoreInput.ValidateEntity(entity);
        ThrowIfDisposed();
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<bool>(cancellationToken);
        }

        var request = new RedisEntityCreation(entity, cancellationToken);
        Enqueue(request);
        return request.Completion;
    }

    /// <inheritdoc />
    /// <remarks>Goes through the writer like a batch (HINCRBY inside the group's script).</remarks>
    public Task<long?> AcquireEpochAsync(string entityPath, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(entityPath);
        ThrowIfDisposed();
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<long?>(cancellationToken);
        }

        var request = new RedisEpochAcquisition(entityPath, cancellationToken);
        Enqueue(request);
        return request.Completion;
    }

    /// <inheritdoc />
    /// <remarks>Reads both hashes of the entity in one MULTI/EXEC (a consistent snapshot) and sorts by sequence number.</remarks>
    public Task<IReadOnlyList<MessageRecord>> LoadMessagesAsync(string entityPath, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(entityPath);
        ThrowIfDisposed();
        return ReadAsync(async () =>
        {
            var transaction = _database.CreateTransaction();
            var payloads = transaction.HashGetAllAsync(_layout.Payloads(entityPath));
            var states = transaction.HashGetAllAsync(_layout.States(entityPath));
            if (!await transaction.ExecuteAsync().ConfigureAwait(false))
            {
                throw RedisStoreErrors.Unavailable("The Redis transaction reading the messages was not executed.", null);
            }

            var payloadEntries = await payloads.ConfigureAwait(false);
            var stateEntries = await states.ConfigureAwait(false);
            var stateBySequence = new Dictionary<long, byte[]>(stateEntries.Length);
            foreach (var entry in stateEntries)
            {
                stateBySequence[RedisLayout.ParseField(entry.Name)] = (byte[]?)entry.Value ?? [];
            }

            var records = new MessageRecord[payloadEntries.Length];
            for (var i = 0; i < payloadEntries.Length; i++)
            {
                var sequence = RedisLayout.ParseField(payloadEntries[i].Name);
                records[i] = new MessageRecord(sequence, (byte[]?)payloadEntries[i].Value ?? [],
                    stateBySequence.TryGetValue(sequence, out var state) ? state : []);
            }

            Array.Sort(records, static (a, b) => a.SequenceNumber.CompareTo(b.SequenceNumber));
            return (IReadOnlyList<MessageRecord>)records;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<EntityRecord?> GetEntityAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ThrowIfDisposed();
        return ReadAsync(async () =>
        {
            var value = await _database.HashGetAsync(_layout.Entities, path).ConfigureAwait(false);
            return value.IsNull ? null : RedisLayout.DecodeEntity(path, value);
        }, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Pages through the sorted set <c>P ek</c> with ZRANGEBYLEX (ordinal UTF-8 byte order, as in the embedded store)
    /// and reads the entries with HMGET; the kind filter is applied client-side. Not a snapshot across pages.
    /// </remarks>
    public Task<IReadOnlyList<EntityRecord>> ListEntitiesAsync(int? kind, string? prefix, string? afterPath, int maxCount,
        CancellationToken cancellationToken = default) =>
        ListCatalogAsync<EntityRecord>(prefix, afterPath, maxCount, async (paths, rows) =>
        {
            var values = await _database.HashGetAsync(_layout.Entities, paths).ConfigureAwait(false);
            for (var i = 0; i < paths.Length; i++)
            {
                // A path whose entry vanished since the range read was deleted meanwhile.
                if (!values[i].IsNull && RedisLayout.DecodeEntity(paths[i]!, values[i]) is { } entity && (kind is null || entity.Kind == kind))
                {
                    rows.Add(entity);
                }
            }
        }, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Pages like <see cref="ListEntitiesAsync"/>; each page's entries and depths are read in one MULTI/EXEC.</remarks>
    public Task<IReadOnlyList<EntityDepthRecord>> ListDepthsAsync(string? prefix, string? afterPath, int maxCount,
        CancellationToken cancellationToken = default) =>
        ListCatalogAsync<EntityDepthRecord>(prefix, afterPath, maxCount, async (paths, rows) =>
        {
            var transaction = _database.CreateTransaction();
            var entries = transaction.HashGetAsync(_layout.Entities, paths);
            var depths = transaction.HashGetAsync(_layout.Depths, paths);
            if (!await transaction.ExecuteAsync().ConfigureAwait(false))
            {
                throw RedisStoreErrors.Unavailable("The Redis transaction reading the depths was not executed.", null);
            }

            var entryValues = await entries.ConfigureAwait(false);
            var depthValues = await depths.ConfigureAwait(false);
            for (var i = 0; i < paths.Length; i++)
            {
                if (!entryValues[i].IsNull && RedisLayout.DecodeEntity(paths[i]!, entryValues[i]) is { } entity)
                {
                    var depth = depthValues[i].IsNull ? null : EntityDepth.Decode((byte[])depthValues[i]!);
                    rows.Add(new EntityDepthRecord(entity.Path, entity.Kind, depth));
                }
            }
        }, cancellationToken);

    /// <summary>
    /// Walks the catalog index from <paramref name="afterPath"/> (or <paramref name="prefix"/>) in chunks, handing each
    /// chunk of paths that start with the prefix to <paramref name="readChunk"/>, until <paramref name="maxCount"/> rows.
    /// </summary>
    private Task<IReadOnlyList<T>> ListCatalogAsync<T>(string? prefix, string? afterPath, int maxCount,
        Func<RedisValue[], List<T>, Task> readChunk, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        ThrowIfDisposed();
        return ReadAsync(async () =>
        {
            var rows = new List<T>();
            var hasPrefix = !string.IsNullOrEmpty(prefix);
            RedisValue start = default;
            var exclude = Exclude.None;
            if (afterPath is not null && (!hasPrefix || string.CompareOrdinal(afterPath, prefix) >= 0))
            {
                start = afterPath;
                exclude = Exclude.Start;
            }
            else if (hasPrefix)
            {
                start = prefix;
            }

            while (rows.Count < maxCount)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var paths = await _database.SortedSetRangeByValueAsync(_layout.EntityIndex, start, default, exclude,
                    Order.Ascending, 0, ListChunk).ConfigureAwait(false);
                if (paths.Length == 0)
                {
                    break;
                }

                var count = paths.Length;
                var pastPrefix = false;
                if (hasPrefix)
                {
                    for (var i = 0; i < paths.Length; i++)
                    {
                        if (!((string)paths[i]!).StartsWith(prefix!, StringComparison.Ordinal))
                        {
                            count = i;
                            pastPrefix = true;
                            break;
                        }
                    }
                }

                if (count > 0)
                {
                    await readChunk(paths.AsSpan(0, count).ToArray(), rows).ConfigureAwait(false);
                }

                if (pastPrefix || paths.Length < ListChunk)
                {
                    break;
                }

                start = paths[^1];
                exclude = Exclude.Start;
            }

            // The last chunk may have gone past the count asked for.
            if (rows.Count > maxCount)
            {
                rows.RemoveRange(maxCount, rows.Count - maxCount);
            }

            return (IReadOnlyList<T>)rows;
        }, cancellationToken);
    }

    /// <summary>Counters since the store connected, and whether it is connected now. Cheap enough for a health check.</summary>
    public RedisStoreStatistics GetStatistics()
    {
        ThrowIfDisposed();
        return new RedisStoreStatistics(_writer.Commits, _writer.CommittedBatches, _writer.CommittedOperations,
            _writer.FailedCommits, _connection.IsConnected);
    }

    /// <summary>
    /// Stops accepting work, commits (or, with Redis down, fails) every batch already queued and closes the connection.
    /// Idempotent. Afterwards every member throws <see cref="ObjectDisposedException"/>.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            await _writer.StopAsync().ConfigureAwait(false);
            return;
        }

        await _writer.StopAsync().ConfigureAwait(false);
        _connection.ConnectionFailed -= OnConnectionFailed;
        _connection.ConnectionRestored -= OnConnectionRestored;
        await _connection.CloseAsync(allowCommandsToComplete: true).ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
        RedisStoreLog.Closed(_logger, _writer.Commits, _writer.CommittedBatches);
    }

    /// <summary>Same as <see cref="DisposeAsync"/>, blocking until the queue is drained; for containers that dispose synchronously.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static RedisMessageStoreOptions Prepare(RedisMessageStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options.Snapshot();
    }

    private static ConfigurationOptions ClientConfiguration(RedisMessageStoreOptions options)
    {
        var configuration = ConfigurationOptions.Parse(options.Configuration);
        var timeout = (int)Math.Ceiling(options.OperationTimeout.TotalMilliseconds);
        configuration.AbortOnConnectFail = false;
        configuration.ConnectTimeout = timeout;
        configuration.SyncTimeout = timeout;
        configuration.AsyncTimeout = timeout;
        // Fail at once while disconnected rather than queueing commands until they time out.
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        // Try again every second (at most) while Redis is away, so the store comes back soon after it does.
        configuration.ReconnectRetryPolicy = new LinearRetry(1000);
        configuration.ClientName ??= "loire-store";
        return configuration;
    }

    /// <summary>
    /// Reads Redis's persistence settings and logs a warning unless they are <c>appendonly yes</c> and
    /// <c>appendfsync always</c>, the only settings under which an acknowledged send survives a Redis crash.
    /// </summary>
    /// <returns>True when Redis is set up that way; false when it is not, or could not be asked (down, or CONFIG
    /// forbidden), which is logged too.</returns>
    public async Task<bool> CheckDurabilityAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        try
        {
            // A plain command rather than IServer.ConfigGetAsync, which needs the client's admin mode.
            var appendOnly = await ConfigValueAsync("appendonly").WaitAsync(cancellationToken).ConfigureAwait(false);
            var appendFsync = await ConfigValueAsync("appendfsync").WaitAsync(cancellationToken).ConfigureAwait(false);
            if (appendOnly == "yes" && appendFsync == "always")
            {
                return true;
            }

            RedisStoreLog.NotDurable(_logger, appendOnly, appendFsync);
            return false;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Best effort only: Redis may be down, or CONFIG renamed or forbidden by an ACL.
            RedisStoreLog.DurabilityUnchecked(_logger, exception);
            return false;
        }
    }

    private async Task<string> ConfigValueAsync(string name)
    {
        var reply = await _database.ExecuteAsync("CONFIG", "GET", name).ConfigureAwait(false);
        var values = (string[]?)reply;
        return values is { Length: >= 2 } ? values[1] ?? "?" : "?";
    }

    private void Enqueue(RedisWriteRequest request)
    {
        request.WatchCancellation();
        if (!_writer.TryEnqueue(request))
        {
            request.TryClaim();
            ThrowIfDisposed();
            throw RedisStoreErrors.Unavailable("The message store writer has stopped.", null);
        }
    }

    private static async Task<T> ReadAsync<T>(Func<Task<T>> read, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            return await read().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (RedisStoreErrors.IsStoreFailure(exception))
        {
            throw RedisStoreErrors.Unavailable("The message store cannot be read from Redis.", exception);
        }
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e) =>
        RedisStoreLog.ConnectionFailed(_logger, e.Exception, e.EndPoint?.ToString() ?? "?", e.FailureType.ToString());

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e) =>
        RedisStoreLog.ConnectionRestored(_logger, e.EndPoint?.ToString() ?? "?");

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
