using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Loire.Storage.Sqlite;

/// <summary>
/// A statement compiled once on the writer connection and executed many times with new parameter values. It talks to
/// SQLite directly: the writer runs hundreds of thousands of statements a second, and going through
/// <see cref="SqliteCommand"/> cost a reader, a binder per parameter, a UTF-8 copy of each string and a copy of each
/// blob slice on every execution. Values are bound by their position in the parameter names given at construction;
/// SQLite copies what it is given while binding, so the caller's memory is free again once a bind returns.
/// </summary>
internal sealed class PreparedCommand : IDisposable
{
    private readonly sqlite3 _database;
    private readonly sqlite3_stmt _statement;
    private readonly int[] _indexes;

    /// <summary>Compiles <paramref name="sql"/> (one statement), whose parameters are named <paramref name="parameterNames"/>.</summary>
    public PreparedCommand(SqliteConnection connection, string sql, params string[] parameterNames)
    {
        _database = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        Check(raw.sqlite3_prepare_v3(_database, sql, raw.SQLITE_PREPARE_PERSISTENT, out _statement, out var tail));
        try
        {
            if (!string.IsNullOrWhiteSpace(tail))
            {
                throw new ArgumentException($"Only one statement can be prepared at a time, not '{sql}'.", nameof(sql));
            }

            _indexes = new int[parameterNames.Length];
            for (var i = 0; i < parameterNames.Length; i++)
            {
                _indexes[i] = raw.sqlite3_bind_parameter_index(_statement, parameterNames[i]);
                if (_indexes[i] == 0)
                {
                    throw new ArgumentException($"'{sql}' has no parameter {parameterNames[i]}.", nameof(parameterNames));
                }
            }
        }
        catch
        {
            _statement.Dispose();
            throw;
        }
    }

    /// <summary>Binds text to parameter <paramref name="position"/> (its place among the names given at construction).</summary>
    public PreparedCommand Bind(int position, string value)
    {
        // An empty span would pass a null pointer, which SQLite takes for NULL.
        Check(value.Length == 0
            ? raw.sqlite3_bind_text(_statement, _indexes[position], "")
            : raw.sqlite3_bind_text16(_statement, _indexes[position], value.AsSpan()));
        return this;
    }

    /// <summary>Binds an integer to parameter <paramref name="position"/>.</summary>
    public PreparedCommand Bind(int position, long value)
    {
        Check(raw.sqlite3_bind_int64(_statement, _indexes[position], value));
        return this;
    }

    /// <summary>Binds a blob (an empty one for no bytes, never NULL) to parameter <paramref name="position"/>.</summary>
    public PreparedCommand Bind(int position, ReadOnlySpan<byte> value)
    {
        Check(value.IsEmpty
            ? raw.sqlite3_bind_zeroblob(_statement, _indexes[position], 0)
            : raw.sqlite3_bind_blob(_statement, _indexes[position], value));
        return this;
    }

    /// <summary>Runs the statement to its end with the values bound; returns the number of rows it changed.</summary>
    public int Execute()
    {
        Run(readFirst: false, out _);
        return raw.sqlite3_changes(_database);
    }

    /// <summary>Runs the statement to its end with the values bound; returns the first column of its first row, or null without one.</summary>
    public long? ScalarInt64()
    {
        Run(readFirst: true, out var first);
        return first;
    }

    private void Run(bool readFirst, out long? first)
    {
        first = null;
        try
        {
            var rows = 0;
            int rc;
            while ((rc = raw.sqlite3_step(_statement)) == raw.SQLITE_ROW)
            {
                // A RETURNING statement only finishes its write once stepped to the end.
                if (readFirst && rows++ == 0 && raw.sqlite3_column_type(_statement, 0) != raw.SQLITE_NULL)
                {
                    first = raw.sqlite3_column_int64(_statement, 0);
                }
            }

            if (rc != raw.SQLITE_DONE)
            {
                Check(rc);
            }
        }
        finally
        {
            // Releases the statement's read transaction and locks; its error, if any, was thrown above.
            raw.sqlite3_reset(_statement);
        }
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _database);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _statement.Dispose();
}
