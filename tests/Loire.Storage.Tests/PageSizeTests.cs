using Microsoft.Data.Sqlite;

namespace Loire.Storage.Tests;

public sealed class PageSizeTests
{
    [Fact]
    public async Task A_new_database_gets_16_KB_pages()
    {
        await using var test = TestStore.Open();
        await test.Store.CommitAsync(new StoreBatch().PutMessage("q", 1, TestStore.Bytes("body"), default));

        Assert.Equal(16 * 1024, PageSize(test.Options().DatabasePath));
    }

    [Fact]
    public async Task A_database_made_with_4_KB_pages_keeps_them_and_works_as_before()
    {
        var directory = Path.Combine(Path.GetTempPath(), "loire-storage-tests", Guid.NewGuid().ToString("N"));
        var options = new SqliteMessageStoreOptions { DataDirectory = directory };
        Directory.CreateDirectory(directory);
        try
        {
            using (var connection = new SqliteConnection($"Data Source={options.DatabasePath};Pooling=False"))
            {
                connection.Open();
                using var command = connection.CreateCommand();
                // Writing the header fixes the file's page size, as the store's earlier versions left it.
                command.CommandText = "PRAGMA page_size = 4096; PRAGMA user_version = 0; PRAGMA application_id = 0;";
                command.ExecuteNonQuery();
            }

            var payload = new byte[3000];
            Random.Shared.NextBytes(payload);
            await using (var store = new SqliteMessageStore(options))
            {
                var batch = new StoreBatch();
                for (var seq = 1; seq <= 100; seq++)
                {
                    batch.PutMessage("q", seq, payload, TestStore.Bytes("s"));
                }

                await store.CommitAsync(batch);
                await store.CommitAsync(new StoreBatch().DeleteMessage("q", 1));
            }

            await using (var reopened = new SqliteMessageStore(options))
            {
                var messages = await reopened.LoadMessagesAsync("q");
                Assert.Equal(99, messages.Count);
                Assert.All(messages, m => Assert.Equal(payload, m.Payload.ToArray()));
            }

            Assert.Equal(4096, PageSize(options.DatabasePath));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static long PageSize(string databasePath)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA page_size;";
        return (long)command.ExecuteScalar()!;
    }
}
