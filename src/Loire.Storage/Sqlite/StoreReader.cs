using System.Text;
using Microsoft.Data.Sqlite;

namespace Loire.Storage.Sqlite;

/// <summary>
/// The store's queries. Each call borrows a read-only connection from Microsoft.Data.Sqlite's pool, never the
/// writer's, so in WAL mode a read sees the last committed state and never waits for a commit in flight.
/// Thread-safe.
/// </summary>
internal sealed class StoreReader(string databasePath)
{
    // How many rows a long read goes between two looks at its cancellation token.
    private const int CancellationCheckInterval = 1024;

    private readonly string _connectionString = SqliteSchema.ReaderConnectionString(databasePath);

    /// <summary>Every message of an entity in sequence order, each blob copied once into its own array.</summary>
    public IReadOnlyList<MessageRecord> LoadMessages(string entityPath, CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, payload, state FROM messages WHERE entity = $entity ORDER BY seq";
        command.Parameters.AddWithValue("$entity", entityPath);
        using var reader = command.ExecuteReader();
        var records = new List<MessageRecord>();
        while (reader.Read())
        {
            if (records.Count % CancellationCheckInterval == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            records.Add(new MessageRecord(reader.GetInt64(0), ReadBlob(reader, 1), ReadBlob(reader, 2)));
        }

        return records;
    }

    /// <summary>The catalog entry at <paramref name="path"/>, or null.</summary>
    public EntityRecord? GetEntity(string path)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT path, kind, description FROM entities WHERE path = $path";
        command.Parameters.AddWithValue("$path", path);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadEntity(reader) : null;
    }

    /// <summary>Up to <paramref name="maxCount"/> catalog entries in path order, filtered as <see cref="IMessageStore.ListEntitiesAsync"/> says.</summary>
    public IReadOnlyList<EntityRecord> ListEntities(int? kind, string? prefix, string? afterPath, int maxCount,
        CancellationToken cancellationToken) =>
        ListCatalog("SELECT path, kind, description FROM entities", kind, prefix, afterPath, maxCount, ReadEntity, cancellationToken);

    /// <summary>Up to <paramref name="maxCount"/> catalog entries with their recorded depths, in path order.</summary>
    public IReadOnlyList<EntityDepthRecord> ListDepths(string? prefix, string? afterPath, int maxCount, CancellationToken cancellationToken) =>
        ListCatalog("SELECT path, kind, depth FROM entities LEFT JOIN depths USING (path)", kind: null, prefix, afterPath, maxCount,
            static reader => new EntityDepthRecord(reader.GetString(0), reader.GetInt32(1),
                reader.IsDBNull(2) ? null : EntityDepth.Decode(reader.GetFieldValue<byte[]>(2))),
            cancellationToken);

    /// <summary>Runs <paramref name="select"/> (whose first column is the path) over the catalog in path order, filtered.</summary>
    private List<T> ListCatalog<T>(string select, int? kind, string? prefix, string? afterPath, int maxCount,
        Func<SqliteDataReader, T> read, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        if (maxCount == 0)
        {
            return rows;
        }

        using var connection = Open();
        using var command = connection.CreateCommand();
        var sql = new StringBuilder(select).Append(" WHERE 1 = 1");
        if (kind is { } k)
        {
            sql.Append(" AND kind = $kind");
            command.Parameters.AddWithValue("$kind", k);
        }

        var hasPrefix = !string.IsNullOrEmpty(prefix);
        if (hasPrefix)
        {
            // Paths that start with the prefix sort together from the prefix on, so the scan begins there and
            // stops below at the first path that does not start with it.
            sql.Append(" AND path >= $prefix");
            command.Parameters.AddWithValue("$prefix", prefix);
        }

        if (afterPath is not null)
        {
            sql.Append(" AND path > $after");
            command.Parameters.AddWithValue("$after", afterPath);
        }

        sql.Append(" ORDER BY path");
        command.CommandText = sql.ToString();
        using var reader = command.ExecuteReader();
        while (rows.Count < maxCount && reader.Read())
        {
            if (rows.Count % CancellationCheckInterval == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (hasPrefix && !reader.GetString(0).StartsWith(prefix!, StringComparison.Ordinal))
            {
                break;
            }

            rows.Add(read(reader));
        }

        return rows;
    }

    /// <summary>Unused pages inside the database file.</summary>
    public long FreelistPages()
    {
        using var connection = Open();
        return SqliteSchema.Scalar<long>(connection, "PRAGMA freelist_count;");
    }

    /// <summary>Closes the idle pooled read connections, so the files are released once in-flight reads end.</summary>
    public void ReleaseConnections()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static EntityRecord ReadEntity(SqliteDataReader reader) =>
        new(reader.GetString(0), reader.GetInt32(1), ReadBlob(reader, 2));

    private static byte[] ReadBlob(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? [] : reader.GetFieldValue<byte[]>(ordinal);
}
