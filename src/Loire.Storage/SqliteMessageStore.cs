using System.Diagnostics.Metrics;
using Loire.Client;
using Loire.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Loire.Storage;

/// <summary>
/// The embedded, durable, single-node <see cref="IMessageStore"/>: one SQLite database file in WAL mode.
/// </summary>
/// <remarks>
/// <para>
/// One dedicated writer thread owns the only read-write connection and group-commits: every batch waiting when a
/// commit starts shares that commit's transaction and its single fsync, each inside its own savepoint so a batch that
/// fails is undone alone. Reads use pooled read-only connections and never wait for a commit in flight.
/// </para>
/// <para>
/// Thread-safe: every member may be called concurrently. The writer reads a committed <see cref="StoreBatch"/> (and
/// the memory its operations point to) until the commit task completes, so neither may be changed or returned to a
/// pool before then.
/// </para>
/// <para>
/// The database is opened (and created, with its directory) by the constructor, which throws
/// <see cref="LoireException"/> with <see cref="LoireErrorReason.StoreUnavailable"/> when it cannot. After
/// <see cref="DisposeAsync"/> every member throws <see cref="ObjectDisposedException"/>.
/// </para>
/// </remarks>
public sealed class SqliteMessageStore : IMessageStore, IDisposable
{
    private readonly SqliteMessageStoreOptions _options;
    private readonly ILogger _logger;
    private readonly GroupCommitWriter _writer;
    private readonly StoreReader _reader;
    private int _disposed;

    /// <summary>Opens the store described by <paramref name="options"/> (the form dependency injection uses).</summary>
    public SqliteMessageStore(IOptions<SqliteMessageStoreOptions> options, ILogger<SqliteMessageStore>? logger = null,
        IMeterFactory? meterFactory = null)
        : this(options?.Value ?? throw new ArgumentNullException(nameof(options)), logger, meterFactory)
    {
    }

    /// <summary>
    /// Opens the store described by <paramref name="options"/>, creating the directory and the database when missing.
    /// Instruments go to <paramref name="meterFactory"/>'s "Loire" meter, or to a process-wide "Loire" meter without one.
    /// </summary>
    public SqliteMessageStore(SqliteMessageStoreOptions options, ILogger<SqliteMessageStore>? logger = null,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Snapshot();
        _logger = (ILogger?)logger ?? NullLogger.Instance;

        WriterConnection connection;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_options.DatabasePath)!);
            connection = WriterConnection.Open(_options);
        }
        catch (Exception exception) when (exception is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw StoreErrors.Unavailable($"The message store at '{_options.DatabasePath}' cannot be opened.", exception);
        }

        _reader = new StoreReader(_options.DatabasePath);
        _writer = new GroupCommitWriter(connection, _options, _logger, new StoreMetrics("sqlite", meterFactory), FaultHooks);
        _writer.Start();
        StoreLog.Opened(_logger, _options.DatabasePath, _options.Durability, SqliteSchema.Version);
    }

    /// <summary>Full path of the database file.</summary>
    public string DatabasePath => _options.DatabasePath;

    /// <summary>Test-only points where the writer can be made to fail or stall.</summary>
    internal StoreFaultHooks FaultHooks { get; } = new();

    /// <inheritdoc />
    /// <remarks>
    /// Completes once the batch is durable (see <see cref="SqliteDurability"/>). A batch that cannot be applied fails
    /// alone with <see cref="LoireErrorReason.GeneralError"/> (or <see cref="LoireErrorReason.StoreUnavailable"/> when
    /// the cause is the storage), a fenced batch whose epoch is stale with <see cref="StaleEpochException"/>; a commit
    /// that fails fails every batch of its group with <see cref="LoireErrorReason.StoreUnavailable"/>. In both cases nothing of the failed batch is applied.
    /// Cancelling <paramref name="cancellationToken"/> drops the batch only while it still waits in the queue.
    /// An empty batch completes at once. Throws <see cref="ArgumentException"/> for an operation without an entity
    /// path (or a PutEntity without a record).
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
        var request = new BatchWrite(batch, cancellationToken);
        Enqueue(request);
        return new ValueTask(request.Completion);
    }

    /// <inheritdoc />
    /// <remarks>Goes through the writer like a batch: true only once the entry is durable.</remarks>
    public Task<bool> TryCreateEntityAsync(EntityRecord entity, CancellationToken cancellationToken = default)
    {
        StoreInput.ValidateEntity(entity);
        ThrowIfDisposed();
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<bool>(cancellationToken);
        }

        var request = new EntityCreation(entity, cancellationToken);
        Enqueue(request);
        return request.Completion;
    }

    /// <inheritdoc />
    public Task<long?> AcquireEpochAsync(string entityPath, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(entityPath);
        ThrowIfDisposed();
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<long?>(cancellationToken);
        }

        var request = new EpochAcquisition(entityPath, cancellationToken);
        Enqueue(request);
        return request.Completion;
    }

    /// <inheritdoc />
    /// <remarks>Runs on the thread pool with its own read connection; a list of 100k messages costs one copy of each blob.</remarks>
    public Task<IReadOnlyList<MessageRecord>> LoadMessagesAsync(string entityPath, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(entityPath);
        ThrowIfDisposed();
        return ReadAsync(() => _reader.LoadMessages(entityPath, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public Task<EntityRecord?> GetEntityAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ThrowIfDisposed();
        return ReadAsync(() => _reader.GetEntity(path), cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>Paths compare ordinally (by their UTF-8 bytes, the same as ordinal order for ASCII paths).</remarks>
    public Task<IReadOnlyList<EntityRecord>> ListEntitiesAsync(int? kind, string? prefix, string? afterPath, int maxCount,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        ThrowIfDisposed();
        return ReadAsync(() => _reader.ListEntities(kind, prefix, afterPath, maxCount, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<EntityDepthRecord>> ListDepthsAsync(string? prefix, string? afterPath, int maxCount,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        ThrowIfDisposed();
        return ReadAsync(() => _reader.ListDepths(prefix, afterPath, maxCount, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Runs a full compaction pass now, after every batch queued before it: gives all free pages back to the file
    /// system and checkpoints the WAL, truncating it (unless a reader still needs it). The writer also does this on its
    /// own every <see cref="SqliteMessageStoreOptions.CompactionInterval"/> when there were writes, releasing free pages
    /// then only when there are many.
    /// </summary>
    public Task CompactAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        var request = new CompactionRequest(cancellationToken);
        Enqueue(request);
        return request.Completion;
    }

    /// <summary>Counters since the store opened and the current file sizes. Cheap enough for a health check.</summary>
    public StoreStatistics GetStatistics()
    {
        ThrowIfDisposed();
        return new StoreStatistics(
            _writer.Commits,
            _writer.CommittedBatches,
            _writer.CommittedOperations,
            _writer.FailedCommits,
            FileLength(_options.DatabasePath),
            FileLength(_options.DatabasePath + "-wal"),
            _reader.FreelistPages(),
            _writer.Compactions);
    }

    /// <summary>
    /// Stops accepting work, commits every batch already queued, checkpoints the WAL and closes the database.
    /// Idempotent. Afterwards every member throws <see cref="ObjectDisposedException"/>.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _writer.Stop().ConfigureAwait(false);
            _reader.ReleaseConnections();
            StoreLog.Closed(_logger, _options.DatabasePath, _writer.Commits, _writer.CommittedBatches);
        }
        else
        {
            await _writer.Stopped.ConfigureAwait(false);
        }
    }

    /// <summary>Same as <see cref="DisposeAsync"/>, blocking until the queue is drained; for containers that dispose synchronously.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private void Enqueue(WriteRequest request)
    {
        request.WatchCancellation();
        if (!_writer.TryEnqueue(request))
        {
            // Claiming drops the cancellation registration of a request nobody will ever run.
            request.TryClaim();
            ThrowIfDisposed();
            throw StoreErrors.Unavailable("The message store writer has stopped.", null);
        }
    }

    private static async Task<T> ReadAsync<T>(Func<T> read, CancellationToken cancellationToken)
    {
        try
        {
            // Microsoft.Data.Sqlite is synchronous; a pool thread keeps a long load from holding the caller's turn.
            return await Task.Run(read, cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException exception) when (StoreErrors.IsStorageFailure(exception))
        {
            throw StoreErrors.Unavailable("The message store cannot be read.", exception);
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private static long FileLength(string path)
    {
        var file = new FileInfo(path);
        return file.Exists ? file.Length : 0;
    }
}
