using Microsoft.Data.Sqlite;

namespace Loire.Storage.Sqlite;

/// <summary>
/// The single read-write connection of the store and its compiled statements. Used by the writer thread only:
/// nothing here is thread-safe.
/// </summary>
internal sealed class WriterConnection : IDisposable
{
    // Periodic passes leave small free lists alone (new rows reuse those pages at no cost) and release large ones
    // in bounded steps, so one pass never stalls commits for long.
    private const long MinFreeBytesToRelease = 4L * 1024 * 1024;
    private const long MaxBytesReleasedPerPass = 64L * 1024 * 1024;

    // A periodic TRUNCATE checkpoint waits this long for readers of old WAL frames, then settles for copying what
    // it can; commits queue behind it, so it must not wait for long.
    private const int PeriodicCheckpointBusyMilliseconds = 100;

    // Rough WAL cost of one row change beyond its blobs: key, cell header, its share of index pages.
    private const int RowOverheadBytes = 64;

    // Most epochs kept in memory; past that the cache starts again (each miss is one indexed read).
    private const int MaxCachedEpochs = 100_000;

    // This connection is the database's only writer, so it can keep the current epoch of every entity it has checked
    // or changed (null: none) instead of reading it for every fenced batch. It mirrors the open transaction, so any
    // rollback drops it whole.
    private readonly Dictionary<string, long?> _epochs = new(StringComparer.Ordinal);

    private readonly SqliteConnection _connection;
    private readonly PreparedCommand _begin;
    private readonly PreparedCommand _commit;
    private readonly PreparedCommand _rollback;
    private readonly PreparedCommand _savepoint;
    private readonly PreparedCommand _releaseSavepoint;
    private readonly PreparedCommand _rollbackToSavepoint;
    private readonly PreparedCommand _putMessage;
    private readonly PreparedCommand _updateState;
    private readonly PreparedCommand _deleteMessage;
    private readonly PreparedCommand _putEntity;
    private readonly PreparedCommand _insertEntity;
    private readonly PreparedCommand _deleteEntity;
    private readonly PreparedCommand _deleteEntityMessages;
    private readonly PreparedCommand _putDepth;
    private readonly PreparedCommand _deleteDepth;
    private readonly PreparedCommand _readEpoch;
    private readonly PreparedCommand _nextEpoch;
    private readonly PreparedCommand _putEpoch;
    private readonly PreparedCommand _deleteEpoch;
    private long _writtenBytes;

    private WriterConnection(SqliteConnection connection)
    {
        _connection = connection;
        _begin = new(connection, "BEGIN IMMEDIATE");
        _commit = new(connection, "COMMIT");
        _rollback = new(connection, "ROLLBACK");
        _savepoint = new(connection, "SAVEPOINT batch");
        _releaseSavepoint = new(connection, "RELEASE batch");
        _rollbackToSavepoint = new(connection, "ROLLBACK TO batch");
        _putMessage = new(connection, """
            INSERT INTO messages (entity, seq, payload, state) VALUES ($entity, $seq, $payload, $state)
            ON CONFLICT (entity, seq) DO UPDATE SET payload = excluded.payload, state = excluded.state
            """, "$entity", "$seq", "$payload", "$state");
        _updateState = new(connection, "UPDATE messages SET state = $state WHERE entity = $entity AND seq = $seq",
            "$entity", "$seq", "$state");
        _deleteMessage = new(connection, "DELETE FROM messages WHERE entity = $entity AND seq = $seq", "$entity", "$seq");
        _putEntity = new(connection, """
            INSERT INTO entities (path, kind, description) VALUES ($path, $kind, $description)
            ON CONFLICT (path) DO UPDATE SET kind = excluded.kind, description = excluded.description
            """, "$path", "$kind", "$description");
        // DO NOTHING (rather than failing on the key) keeps a taken path from aborting the other batches of the group.
        _insertEntity = new(connection, """
            INSERT INTO entities (path, kind, description) VALUES ($path, $kind, $description)
            ON CONFLICT (path) DO NOTHING
            """, "$path", "$kind", "$description");
        _deleteEntity = new(connection, "DELETE FROM entities WHERE path = $path", "$path");
        _deleteEntityMessages = new(connection, "DELETE FROM messages WHERE entity = $entity", "$entity");
        // A depth written after its entity was deleted (a late batch of the deleted grain) must not outlive it.
        _putDepth = new(connection, """
            INSERT INTO depths (path, depth) SELECT $path, $depth WHERE EXISTS (SELECT 1 FROM entities WHERE path = $path)
            ON CONFLICT (path) DO UPDATE SET depth = excluded.depth
            """, "$path", "$depth");
        _deleteDepth = new(connection, "DELETE FROM depths WHERE path = $path", "$path");
        _readEpoch = new(connection, "SELECT epoch FROM fences WHERE path = $path", "$path");
        _nextEpoch = new(connection, """
            INSERT INTO fences (path, epoch) VALUES ('', 1)
            ON CONFLICT (path) DO UPDATE SET epoch = epoch + 1
            RETURNING epoch
            """);
        // Only for a path in the catalog, so asking for a missing entity leaves no row behind.
        _putEpoch = new(connection, """
            INSERT INTO fences (path, epoch) SELECT $path, $epoch WHERE EXISTS (SELECT 1 FROM entities WHERE path = $path)
            ON CONFLICT (path) DO UPDATE SET epoch = excluded.epoch
            """, "$path", "$epoch");
        _deleteEpoch = new(connection, "DELETE FROM fences WHERE path = $path", "$path");
    }

    /// <summary>Opens (creating when missing) the database file and compiles the writer's statements.</summary>
    public static WriterConnection Open(SqliteMessageStoreOptions options)
    {
        var connection = SqliteSchema.OpenWriter(options.DatabasePath, WalCheckpointer.WriterCheckpointBytes(options));
        try
        {
            return new WriterConnection(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Starts the group's transaction, taking the write lock now rather than at the first write.</summary>
    public void BeginTransaction() => _begin.Execute();

    /// <summary>Commits the group's transaction to the WAL file, unflushed (see <see cref="WalSyncer"/>).</summary>
    public void CommitTransaction() => _commit.Execute();

    /// <summary>Abandons the group's transaction if one is open; never throws.</summary>
    public void TryRollbackTransaction()
    {
        try
        {
            _epochs.Clear();
            if (IsInTransaction)
            {
                _rollback.Execute();
            }
        }
        catch (SqliteException)
        {
            // The connection is discarded after a failed group, which ends the transaction anyway.
        }
    }

    /// <summary>Marks where the next batch starts, so that batch alone can be undone.</summary>
    public void BeginBatch() => _savepoint.Execute();

    /// <summary>Keeps the current batch's changes in the group's transaction.</summary>
    public void EndBatch() => _releaseSavepoint.Execute();

    /// <summary>
    /// Undoes the current batch's changes. False when that is impossible because SQLite already abandoned the whole
    /// transaction (it does so on some I/O, disk-full and out-of-memory errors): then the group cannot commit.
    /// </summary>
    public bool TryUndoBatch()
    {
        _epochs.Clear();
        if (!IsInTransaction)
        {
            return false;
        }

        try
        {
            _rollbackToSavepoint.Execute();
            _releaseSavepoint.Execute();
            return true;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    /// <summary>Returns about how many bytes the operations applied since the last call put into the WAL, and resets the count.</summary>
    public long TakeWrittenBytes()
    {
        var bytes = _writtenBytes;
        _writtenBytes = 0;
        return bytes;
    }

    /// <summary>Applies one operation of a batch inside the current transaction.</summary>
    public void Apply(in StoreOperation operation)
    {
        _writtenBytes += operation.Payload.Length + operation.State.Length + RowOverheadBytes;
        switch (operation.Kind)
        {
            case StoreOperationKind.PutMessage:
                _putMessage.Bind(0, operation.EntityPath).Bind(1, operation.SequenceNumber)
                    .Bind(2, operation.Payload.Span).Bind(3, operation.State.Span).Execute();
                break;
            case StoreOperationKind.UpdateMessageState:
                _updateState.Bind(0, operation.EntityPath).Bind(1, operation.SequenceNumber).Bind(2, operation.State.Span).Execute();
                break;
            case StoreOperationKind.DeleteMessage:
                _deleteMessage.Bind(0, operation.EntityPath).Bind(1, operation.SequenceNumber).Execute();
                break;
            case StoreOperationKind.PutEntity:
                var entity = operation.Entity!;
                _putEntity.Bind(0, entity.Path).Bind(1, entity.Kind).Bind(2, entity.Description.Span).Execute();
                break;
            case StoreOperationKind.DeleteEntity:
                _deleteEntityMessages.Bind(0, operation.EntityPath).Execute();
                _deleteDepth.Bind(0, operation.EntityPath).Execute();
                _deleteEpoch.Bind(0, operation.EntityPath).Execute();
                CacheEpoch(operation.EntityPath, null);
                _deleteEntity.Bind(0, operation.EntityPath).Execute();
                break;
            case StoreOperationKind.PutDepth:
                _putDepth.Bind(0, operation.EntityPath).Bind(1, operation.State.Span).Execute();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(operation), operation.Kind, "Unknown store operation.");
        }
    }

    /// <summary>Throws <see cref="StaleEpochException"/> unless <paramref name="fence"/>'s epoch is its entity's current one.</summary>
    public void CheckFence(StoreFence fence)
    {
        if (!_epochs.TryGetValue(fence.EntityPath, out var current))
        {
            current = _readEpoch.Bind(0, fence.EntityPath).ScalarInt64();
            CacheEpoch(fence.EntityPath, current);
        }

        if (current != fence.Epoch)
        {
            throw new StaleEpochException(fence, current);
        }
    }

    /// <summary>Draws the next epoch and makes it the entity's current one; null (drawing none) when the path has no catalog entry.</summary>
    public long? AcquireEpoch(string entityPath)
    {
        var epoch = _nextEpoch.ScalarInt64() ?? throw new InvalidOperationException("SQLite returned no epoch.");
        long? current = _putEpoch.Bind(0, entityPath).Bind(1, epoch).Execute() == 1 ? epoch : null;
        if (current is not null)
        {
            CacheEpoch(entityPath, current);
        }

        return current;
    }

    private void CacheEpoch(string entityPath, long? epoch)
    {
        if (_epochs.Count >= MaxCachedEpochs && !_epochs.ContainsKey(entityPath))
        {
            _epochs.Clear();
        }

        _epochs[entityPath] = epoch;
    }

    /// <summary>Adds a catalog entry unless its path is taken; true when it was added.</summary>
    public bool TryInsertEntity(EntityRecord entity) =>
        _insertEntity.Bind(0, entity.Path).Bind(1, entity.Kind).Bind(2, entity.Description.Span).Execute() == 1;

    /// <summary>
    /// Gives free pages back to the file system (all of them when <paramref name="force"/>, else only when there are
    /// many) and checkpoints the WAL, truncating it. Runs outside any transaction.
    /// </summary>
    public CompactionResult Compact(bool force)
    {
        var freePages = SqliteSchema.Scalar<long>(_connection, "PRAGMA freelist_count;");
        var totalPages = SqliteSchema.Scalar<long>(_connection, "PRAGMA page_count;");
        var pageSize = SqliteSchema.Scalar<long>(_connection, "PRAGMA page_size;");
        var released = 0L;
        if (freePages > 0 && (force || (freePages * pageSize >= MinFreeBytesToRelease && freePages * 4 >= totalPages)))
        {
            var limit = force ? 0 : Math.Min(freePages, MaxBytesReleasedPerPass / pageSize);
            // The pragma works as it is stepped: reading to the end is what releases every page asked for.
            using (var vacuum = _connection.CreateCommand())
            {
                vacuum.CommandText = $"PRAGMA incremental_vacuum({limit});";
                using var rows = vacuum.ExecuteReader();
                while (rows.Read())
                {
                }
            }

            var remaining = SqliteSchema.Scalar<long>(_connection, "PRAGMA freelist_count;");
            released = freePages - remaining;
            freePages = remaining;
        }

        var (walFrames, checkpointedFrames, blocked) =
            Checkpoint(force ? SqliteSchema.WriterBusyTimeoutSeconds * 1000 : PeriodicCheckpointBusyMilliseconds);
        return new CompactionResult(released, freePages, walFrames, checkpointedFrames, blocked);
    }

    private (long WalFrames, long CheckpointedFrames, bool Blocked) Checkpoint(int busyMilliseconds)
    {
        SqliteSchema.Execute(_connection, $"PRAGMA busy_timeout = {busyMilliseconds};");
        try
        {
            using var checkpoint = _connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            using var result = checkpoint.ExecuteReader();
            result.Read();
            return (result.GetInt64(1), result.GetInt64(2), result.GetInt64(0) != 0);
        }
        finally
        {
            SqliteSchema.Execute(_connection, $"PRAGMA busy_timeout = {SqliteSchema.WriterBusyTimeoutSeconds * 1000};");
        }
    }

    private bool IsInTransaction => SQLitePCL.raw.sqlite3_get_autocommit(_connection.Handle) == 0;

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var command in new[]
        {
            _begin, _commit, _rollback, _savepoint, _releaseSavepoint, _rollbackToSavepoint, _putMessage, _updateState,
            _deleteMessage, _putEntity, _insertEntity, _deleteEntity, _deleteEntityMessages, _putDepth, _deleteDepth,
            _readEpoch, _nextEpoch, _putEpoch, _deleteEpoch,
        })
        {
            command.Dispose();
        }

        _connection.Dispose();
    }
}
