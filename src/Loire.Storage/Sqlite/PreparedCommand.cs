using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace Loire.Storage.Sqlite;

/// <summary>A statement compiled once on the writer connection and executed many times with new parameter values.</summary>
internal sealed class PreparedCommand : IDisposable
{
    private readonly SqliteCommand _command;
    private readonly SqliteParameter[] _parameters;

    /// <summary>Compiles <paramref name="sql"/>, whose parameters are named <paramref name="parameterNames"/> in that order.</summary>
    public PreparedCommand(SqliteConnection connection, string sql, params string[] parameterNames)
    {
        _command = connection.CreateCommand();
        _command.CommandText = sql;
        _parameters = new SqliteParameter[parameterNames.Length];
        for (var i = 0; i < parameterNames.Length; i++)
        {
            _parameters[i] = _command.Parameters.Add(new SqliteParameter { ParameterName = parameterNames[i] });
        }

        _command.Prepare();
    }

    /// <summary>Executes with no parameters; returns the number of rows changed.</summary>
    public int Execute() => _command.ExecuteNonQuery();

    /// <summary>Executes with no parameters; returns the first column of the first row, or null without one.</summary>
    public object? Scalar() => _command.ExecuteScalar();

    /// <summary>Executes with one parameter value; returns the first column of the first row, or null without one.</summary>
    public object? Scalar(object p0)
    {
        _parameters[0].Value = p0;
        return _command.ExecuteScalar();
    }

    /// <summary>Executes with one parameter value; returns the number of rows changed.</summary>
    public int Execute(object p0)
    {
        _parameters[0].Value = p0;
        return _command.ExecuteNonQuery();
    }

    /// <summary>Executes with two parameter values; returns the number of rows changed.</summary>
    public int Execute(object p0, object p1)
    {
        _parameters[0].Value = p0;
        _parameters[1].Value = p1;
        return _command.ExecuteNonQuery();
    }

    /// <summary>Executes with three parameter values; returns the number of rows changed.</summary>
    public int Execute(object p0, object p1, object p2)
    {
        _parameters[0].Value = p0;
        _parameters[1].Value = p1;
        _parameters[2].Value = p2;
        return _command.ExecuteNonQuery();
    }

    /// <summary>Executes with four parameter values; returns the number of rows changed.</summary>
    public int Execute(object p0, object p1, object p2, object p3)
    {
        _parameters[0].Value = p0;
        _parameters[1].Value = p1;
        _parameters[2].Value = p2;
        _parameters[3].Value = p3;
        return _command.ExecuteNonQuery();
    }

    /// <summary>
    /// The value to bind for a blob. Microsoft.Data.Sqlite binds only whole arrays, so memory that is exactly one
    /// array is bound without a copy; a slice is copied (SQLite copies the bytes again while binding either way).
    /// </summary>
    public static byte[] Blob(ReadOnlyMemory<byte> memory)
    {
        if (MemoryMarshal.TryGetArray(memory, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length)
        {
            return segment.Array;
        }

        return memory.ToArray();
    }

    /// <inheritdoc />
    public void Dispose() => _command.Dispose();
}
