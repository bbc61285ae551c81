using Microsoft.Data.Sqlite;

namespace Loire.Storage.Sqlite;

/// <summary>Connection strings, connection settings and the table layout of the embedded store's database file.</summary>
internal static class SqliteSchema
{
    /// <summary>Stored in <c>PRAGMA user_version</c>; bump with a migration when the layout changes.</summary>
    public const int Version = 3;

    /// <summary>Stored in <c>PRAGMA application_id</c> ("LOIR") so a foreign SQLite file is refused instead of altered.</summary>
    public const int ApplicationId = 0x4C4F4952;

    // A reset WAL is truncated back to this size, so one burst does not leave a large file behind.
    private const long JournalSizeLimitBytes = 16L * 1024 * 1024;

    /// <summary>
    /// How long the writer waits for a lock held by someone else (another process, or readers during a forced
    /// TRUNCATE checkpoint) before the group fails with StoreUnavailable.
    /// </summary>
    public const int WriterBusyTimeoutSeconds = 5;

    private const string CreateTables = """
        CREATE TABLE IF NOT EXISTS entities (
            path        TEXT    NOT NULL PRIMARY KEY,
            kind        INTEGER NOT NULL,
            description BLOB
        );
        CREATE TABLE IF NOT EXISTS messages (
            entity  TEXT    NOT NULL,
            seq     INTEGER NOT NULL,
            payload BLOB,
            state   BLOB,
            PRIMARY KEY (entity, seq)
        );
        """ + CreateDepthTable + CreateFenceTable;

    // Version 2: one recorded depth per catalog entry, read by listings without touching the messages.
    private const string CreateDepthTable = """
        CREATE TABLE IF NOT EXISTS depths (
            path  TEXT NOT NULL PRIMARY KEY,
            depth BLOB NOT NULL
        );
        """;

    // Version 3: each entity's current epoch (activation fencing), and under the empty path, which no entity can
    // have, the last epoch handed out, so epochs never repeat even after entities are deleted.
    private const string CreateFenceTable = """
        CREATE TABLE IF NOT EXISTS fences (
            path  TEXT    NOT NULL PRIMARY KEY,
            epoch INTEGER NOT NULL
        );
        """;

    /// <summary>The writer's connection string: read-write, created when missing, never pooled (it is closed to recover from failures).</summary>
    public static string WriterConnectionString(string databasePath) => new SqliteConnectionStringBuilder
    {
        DataSource = databasePath,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Cache = SqliteCacheMode.Private,
        Pooling = false,
        DefaultTimeout = WriterBusyTimeoutSeconds,
    }.ToString();

    /// <summary>The readers' connection string: read-only and pooled, so a read reuses an open connection.</summary>
    public static string ReaderConnectionString(string databasePath) => new SqliteConnectionStringBuilder
    {
        DataSource = databasePath,
        Mode = SqliteOpenMode.ReadOnly,
        Cache = SqliteCacheMode.Private,
        Pooling = true,
    }.ToString();

    // The writer deletes what it wrote a moment ago: with SQLite's default 2 MB cache a queue's backlog of a few
    // thousand messages is already evicted when it is consumed, and every delete reads its page back from the file.
    private const int WriterCacheKibibytes = 32 * 1024;

    // The page size of a new database file (a file keeps the size it was created with). Queues insert and delete
    // runs of kilobyte rows: 16 KB pages write the same bytes in a quarter of the WAL frames and system calls of
    // SQLite's default 4 KB, with fewer B-tree splits and merges.
    private const int NewDatabasePageSizeBytes = 16 * 1024;

    /// <summary>
    /// Opens a writer connection in WAL mode, creating or checking the schema. Its COMMIT writes the WAL without
    /// flushing it (<c>synchronous=NORMAL</c>); under full durability the writer has the WAL flushed before it releases a group.
    /// SQLite's automatic checkpoint runs after a COMMIT once the WAL holds <paramref name="autoCheckpointBytes"/>;
    /// see <see cref="WalCheckpointer"/> for why that mark is high and what does the work before it.
    /// </summary>
    public static SqliteConnection OpenWriter(string databasePath, long autoCheckpointBytes)
    {
        var connection = new SqliteConnection(WriterConnectionString(databasePath));
        try
        {
            connection.Open();

            // Both only take effect while the file has no table yet, so they must precede the schema.
            Execute(connection, $"PRAGMA page_size = {NewDatabasePageSizeBytes};");
            Execute(connection, "PRAGMA auto_vacuum = INCREMENTAL;");
            var journalMode = Scalar<string>(connection, "PRAGMA journal_mode = WAL;");
            if (!string.Equals(journalMode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"SQLite refused WAL mode for '{databasePath}' (journal mode is '{journalMode}').");
            }

            var pageSize = Scalar<long>(connection, "PRAGMA page_size;");
            Execute(connection, $"""
                PRAGMA synchronous = NORMAL;
                PRAGMA busy_timeout = {WriterBusyTimeoutSeconds * 1000};
                PRAGMA wal_autocheckpoint = {Math.Clamp(autoCheckpointBytes / pageSize, 1, int.MaxValue)};
                PRAGMA journal_size_limit = {JournalSizeLimitBytes};
                PRAGMA temp_store = MEMORY;
                PRAGMA cache_size = -{WriterCacheKibibytes};
                """);
            EnsureSchema(connection, databasePath);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Runs a statement (or several) that returns no rows of interest.</summary>
    public static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Runs a statement and returns the first column of its first row.</summary>
    public static T Scalar<T>(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        var value = command.ExecuteScalar();
        return (T)Convert.ChangeType(value, typeof(T), System.Globalization.CultureInfo.InvariantCulture)!;
    }

    private static void EnsureSchema(SqliteConnection connection, string databasePath)
    {
        var applicationId = Scalar<long>(connection, "PRAGMA application_id;");
        if (applicationId != 0 && applicationId != ApplicationId)
        {
            throw new InvalidDataException($"'{databasePath}' is not a Loire message store (application id {applicationId:X8}).");
        }

        var version = Scalar<long>(connection, "PRAGMA user_version;");
        if (version > Version)
        {
            throw new InvalidDataException($"'{databasePath}' has schema version {version}; this build reads up to {Version}.");
        }

        if (version == Version)
        {
            return;
        }

        var foreignTables = Scalar<long>(connection,
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name NOT IN ('entities', 'messages', 'depths', 'fences');");
        if (foreignTables > 0)
        {
            throw new InvalidDataException($"'{databasePath}' holds tables that are not a Loire message store's.");
        }

        if (version is 1 or 2)
        {
            // Entities of a version-1 file have no recorded depth until their grain next writes; listings say so.
            // Entities of an older file have no epoch until their grain next activates, which acquires one.
            Execute(connection, $"""
                BEGIN IMMEDIATE;
                {CreateDepthTable}
                {CreateFenceTable}
                PRAGMA user_version = {Version};
                COMMIT;
                """);
            return;
        }

        // Version 0: a new file, or one whose creation never committed. The tables, the marker and the version
        // commit together, so a crash here leaves a file that the next open simply creates again.
        Execute(connection, $"""
            BEGIN IMMEDIATE;
            {CreateTables}
            PRAGMA application_id = {ApplicationId};
            PRAGMA user_version = {Version};
            COMMIT;
            """);
    }
}
