using Microsoft.Data.Sqlite;
using static Loire.Storage.Tests.TestStore;

namespace Loire.Storage.Tests;

public sealed class DurabilityTests
{
    [Theory]
    [InlineData(SqliteDurability.Full)]
    [InlineData(SqliteDurability.Normal)]
    public async Task CommittedData_SurvivesDisposeAndReopen(SqliteDurability durability)
    {
        await using var test = TestStore.Open(o => o.Durability = durability);
        await test.Store.TryCreateEntityAsync(new EntityRecord("q", 1, Bytes("desc")));
        await test.Store.CommitAsync(new StoreBatch()
            .PutMessage("q", 1, Bytes("one"), Bytes("s1"))
            .PutMessage("q", 2, Bytes("two"), Bytes("s2")));
        await test.Store.CommitAsync(new StoreBatch().DeleteMessage("q", 1));

        await test.ReopenAsync();

        Assert.Equal("desc", Text((await test.Store.GetEntityAsync("q"))!.Description));
        var record = Assert.Single(await test.Store.LoadMessagesAsync("q"));
        Assert.Equal("two", Text(record.Payload));
    }

    [Fact]
    public async Task Dispose_CommitsEverythingAlreadyQueued()
    {
        await using var test = TestStore.Open();
        var pending = Enumerable.Range(0, 200)
            .Select(i => test.Store.CommitAsync(new StoreBatch().PutMessage("q", i, Bytes($"{i}"), Bytes("s"))).AsTask())
            .ToArray();

        await test.Store.DisposeAsync();

        await Task.WhenAll(pending);
        Assert.Throws<ObjectDisposedException>(() => { _ = test.Store.CommitAsync(new StoreBatch().DeleteMessage("q", 0)); });
        await Assert.ThrowsAsync<ObjectDisposedException>(() => test.Store.LoadMessagesAsync("q"));
        await test.ReopenAsync();
        Assert.Equal(200, (await test.Store.LoadMessagesAsync("q")).Count);
    }

    [Fact]
    public async Task Dispose_IsIdempotent_AndLeavesNoWalBehind()
    {
        await using var test = TestStore.Open();
        await test.Store.CommitAsync(new StoreBatch().PutMessage("q", 1, Bytes("x"), Bytes("s")));
        var walPath = test.Store.DatabasePath + "-wal";

        await test.Store.DisposeAsync();
        await test.Store.DisposeAsync();

        Assert.True(!File.Exists(walPath) || new FileInfo(walPath).Length == 0);
    }

    [Fact]
    public async Task Open_CreatesAMissingDirectory()
    {
        var root = Path.Combine(Path.GetTempPath(), "loire-storage-tests", Guid.NewGuid().ToString("N"));
        var options = new SqliteMessageStoreOptions { DataDirectory = Path.Combine(root, "nested", "data"), FileName = "x.db" };
        try
        {
            await using (var store = new SqliteMessageStore(options))
            {
                await store.CommitAsync(new StoreBatch().PutMessage("q", 1, Bytes("x"), Bytes("s")));
            }

            Assert.True(File.Exists(Path.Combine(root, "nested", "data", "x.db")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Open_RefusesMissingDirectorySetting() =>
        Assert.Throws<ArgumentException>(() => new SqliteMessageStore(new SqliteMessageStoreOptions()));

    [Fact]
    public async Task Open_RefusesAForeignSqliteFile()
    {
        var directory = Path.Combine(Path.GetTempPath(), "loire-storage-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "loire.db");
        try
        {
            await using (var foreign = new SqliteConnection($"Data Source={path};Pooling=False"))
            {
                await foreign.OpenAsync();
                await using var command = foreign.CreateCommand();
                command.CommandText = "CREATE TABLE customers (id INTEGER PRIMARY KEY)";
                await command.ExecuteNonQueryAsync();
            }

            Assert.ThrowsAny<InvalidDataException>(() => new SqliteMessageStore(new SqliteMessageStoreOptions { DataDirectory = directory }));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
