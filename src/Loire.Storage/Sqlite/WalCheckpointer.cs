using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Loire.Storage.Sqlite;

/// <summary>
/// Copies the WAL back into the database file from its own thread and connection, so that work (megabytes of page
/// writes and an fsync of the database file) no longer runs inside the COMMIT of whichever group crossed SQLite's
/// auto-checkpoint mark and stalls every caller of that group.
/// </summary>
/// <remarks>
/// <para>
/// The writer reports roughly how much it wrote; past <see cref="SqliteMessageStoreOptions.WalCheckpointThresholdBytes"/>
/// this thread runs a PASSIVE checkpoint, which never blocks the writer.
/// </para>
/// <para>
/// A passive checkpoint cannot bound the WAL by itself: SQLite rewinds the WAL only in a write transaction that
/// began when every frame was already copied, and a busy writer begins its next transaction before a checkpoint
/// beside it can finish. So the writer keeps SQLite's automatic checkpoint, at <see cref="WriterCheckpointFactor"/>
/// times the threshold: when it fires, this thread has already copied nearly everything (each pass repeats while the
/// writer added many frames during it), so it costs that one COMMIT little more than an fsync, and the next
/// transaction starts the WAL over (and SQLite trims the file to the journal size limit).
/// </para>
/// </remarks>
internal sealed class WalCheckpointer
{
    private const int WriterCheckpointFactor = 3;

    // A pass is repeated while the writer added at least this many frames during it (up to MaxPassesPerWake), so
    // the tail left for the writer's own checkpoint stays short.
    private const long CatchUpFrames = 128;
    private const int MaxPassesPerWake = 4;

    private readonly string _databasePath;
    private readonly SqliteDurability _durability;
    private readonly long _thresholdBytes;
    private readonly ILogger _logger;
    private readonly StoreMetrics _metrics;
    private readonly AutoResetEvent _wake = new(false);
    private readonly Lock _gate = new();
    private readonly Thread _thread;
    private long _writtenBytes;
    private int _stopped;
    private volatile bool _stopping;

    public WalCheckpointer(SqliteMessageStoreOptions options, ILogger logger, StoreMetrics metrics)
    {
        _databasePath = options.DatabasePath;
        _durability = options.Durability;
        _thresholdBytes = options.WalCheckpointThresholdBytes;
        _logger = logger;
        _metrics = metrics;
        _thread = new Thread(Run) { IsBackground = true, Name = "Loire store checkpointer" };
    }

    /// <summary>WAL size at which the writer's own (SQLite automatic) checkpoint runs and rewinds the WAL.</summary>
    public static long WriterCheckpointBytes(SqliteMessageStoreOptions options) =>
        options.WalCheckpointThresholdBytes * WriterCheckpointFactor;

    public void Start() => _thread.Start();

    /// <summary>
    /// Runs the writer's own checkpoint (compaction) with no background pass in progress: SQLite fails a checkpoint
    /// at once, without waiting, while another connection runs one.
    /// </summary>
    public T RunExclusive<T>(Func<T> checkpoint)
    {
        lock (_gate)
        {
            return checkpoint();
        }
    }

    /// <summary>Called by the writer after each commit with about how many bytes it added to the WAL.</summary>
    public void OnCommitted(long bytes)
    {
        var total = Interlocked.Add(ref _writtenBytes, bytes);
        if (total >= _thresholdBytes && total - bytes < _thresholdBytes)
        {
            _wake.Set();
        }
    }

    /// <summary>Finishes the pass in progress, if any, and closes the connection. Idempotent.</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        _stopping = true;
        _wake.Set();
        if (_thread.IsAlive)
        {
            _thread.Join();
        }

        _wake.Dispose();
    }

    private void Run()
    {
        SqliteConnection? connection = null;
        try
        {
            while (true)
            {
                _wake.WaitOne();
                if (_stopping)
                {
                    return;
                }

                Interlocked.Exchange(ref _writtenBytes, 0);
                try
                {
                    connection ??= Open();
                    Checkpoint(connection);
                }
                catch (Exception exception) when (exception is SqliteException or IOException)
                {
                    // The next threshold tries again on a fresh connection; the writer's own checkpoint is the backstop.
                    StoreLog.CheckpointFailed(_logger, exception);
                    connection?.Dispose();
                    connection = null;
                }
            }
        }
        finally
        {
            connection?.Dispose();
        }
    }

    private void Checkpoint(SqliteConnection connection)
    {
        var seenFrames = 0L;
        for (var pass = 0; pass < MaxPassesPerWake && !_stopping; pass++)
        {
            var started = Stopwatch.GetTimestamp();
            var (walFrames, copiedFrames) = RunExclusive(() =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
                using var result = command.ExecuteReader();
                result.Read();
                return (result.GetInt64(1), result.GetInt64(2));
            });
            _metrics.RecordCheckpoint(started);
            StoreLog.Checkpointed(_logger, copiedFrames, walFrames, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            // Fewer frames than last time: the WAL was rewound, so what is left is new and small.
            if (walFrames - seenFrames < CatchUpFrames)
            {
                return;
            }

            seenFrames = walFrames;
        }
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(SqliteSchema.WriterConnectionString(_databasePath));
        try
        {
            connection.Open();
            // The checkpoint fsyncs the WAL and the database file as the writer's durability asks; it never waits
            // for a lock (a checkpoint the writer runs at the same moment simply wins).
            var synchronous = _durability == SqliteDurability.Full ? "FULL" : "NORMAL";
            SqliteSchema.Execute(connection, $"PRAGMA synchronous = {synchronous}; PRAGMA busy_timeout = 0;");
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }
}
