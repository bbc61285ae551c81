using Microsoft.Win32.SafeHandles;

namespace Loire.Storage.Sqlite;

/// <summary>
/// The WAL file of one writer connection, opened on its first flush (SQLite creates it with the first write).
/// Flushing any handle of a file flushes the file, so a read-only handle beside SQLite's own is enough.
/// </summary>
internal sealed class WalFile(string path) : IDisposable
{
    private SafeFileHandle? _handle;

    public void Flush()
    {
        _handle ??= File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        RandomAccess.FlushToDisk(_handle);
    }

    public void Dispose() => _handle?.Dispose();
}
