using System.Text;

namespace Loire.Storage.Tests;

/// <summary>A store in its own temporary directory, deleted on dispose.</summary>
internal sealed class TestStore : IAsyncDisposable
{
    private readonly Action<SqliteMessageStoreOptions>? _configure;

    private TestStore(string directory, Action<SqliteMessageStoreOptions>? configure)
    {
        DirectoryPath = directory;
        _configure = configure;
        Store = Create();
    }

    public string DirectoryPath { get; }

    public SqliteMessageStore Store { get; private set; }

    public static TestStore Open(Action<SqliteMessageStoreOptions>? configure = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "loire-storage-tests", Guid.NewGuid().ToString("N"));
        return new TestStore(directory, configure);
    }

    public SqliteMessageStoreOptions Options()
    {
        var options = new SqliteMessageStoreOptions { DataDirectory = DirectoryPath };
        _configure?.Invoke(options);
        return options;
    }

    /// <summary>Closes the store and opens the same file again.</summary>
    public async Task ReopenAsync()
    {
        await Store.DisposeAsync();
        Store = Create();
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        try
        {
            Directory.Delete(DirectoryPath, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    private SqliteMessageStore Create() => new(Options());
}
