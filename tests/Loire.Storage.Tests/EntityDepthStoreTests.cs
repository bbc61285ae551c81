using Microsoft.Data.Sqlite;
using static Loire.Storage.Tests.TestStore;

namespace Loire.Storage.Tests;

/// <summary>Recorded entity depths: written in batches next to the catalog, listed without reading messages.</summary>
public sealed class EntityDepthStoreTests
{
    private const int Queue = 0;
    private const int Topic = 1;

    private static readonly EntityDepth s_depth = new(5, 1, 2, 3, 4096,
        DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000), DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000),
        DateTimeOffset.FromUnixTimeMilliseconds(1_750_000_000_000));

    [Fact]
    public void EncodedDepthsRoundTripAndForeignBytesDecodeToNull()
    {
        Assert.Equal(s_depth, EntityDepth.Decode(s_depth.Encode()));
        var empty = new EntityDepth(0, 0, 0, 0, 0, null, null, DateTimeOffset.FromUnixTimeMilliseconds(1));
        Assert.Equal(empty, EntityDepth.Decode(empty.Encode()));
        Assert.Null(EntityDepth.Decode([]));
        Assert.Null(EntityDepth.Decode(new byte[EntityDepth.EncodedLength]));
    }

    [Fact]
    public async Task DepthsAreListedWithTheCatalogInPathOrder_AndOnlyForEntitiesThatExist()
    {
        await using var test = TestStore.Open();
        await test.Store.TryCreateEntityAsync(new EntityRecord("a", Queue, Bytes("a")));
        await test.Store.TryCreateEntityAsync(new EntityRecord("b", Topic, Bytes("b")));
        await test.Store.TryCreateEntityAsync(new EntityRecord("c", Queue, Bytes("c")));
        await test.Store.CommitAsync(new StoreBatch().PutMessage("a", 1, Bytes("m"), default).PutDepth("a", s_depth).PutDepth("ghost", s_depth));

        var all = await test.Store.ListDepthsAsync(null, null, 10);
        Assert.Equal(["a", "b", "c"], all.Select(d => d.Path));
        Assert.Equal(s_depth, all[0].Depth);
        Assert.Equal([Queue, Topic, Queue], all.Select(d => d.Kind));
        Assert.Null(all[1].Depth);
        Assert.Null(all[2].Depth);

        // The depth of a path without a catalog entry was dropped, so creating it later starts without one.
        await test.Store.TryCreateEntityAsync(new EntityRecord("ghost", Queue, Bytes("g")));
        Assert.Null(Assert.Single(await test.Store.ListDepthsAsync("ghost", null, 10)).Depth);
    }

    [Fact]
    public async Task DepthsPageByPrefixAndAfterPath_AndGoWithTheirEntity()
    {
        await using var test = TestStore.Open();
        foreach (var path in new[] { "orders", "orders/eu", "orders/us", "ordersx", "other" })
        {
            await test.Store.TryCreateEntityAsync(new EntityRecord(path, Queue, Bytes(path)));
            await test.Store.CommitAsync(new StoreBatch().PutDepth(path, s_depth with { Active = path.Length }));
        }

        Assert.Equal(["orders/eu", "orders/us"], (await test.Store.ListDepthsAsync("orders/", null, 10)).Select(d => d.Path));
        Assert.Equal(["orders/us", "ordersx"], (await test.Store.ListDepthsAsync("orders", "orders/eu", 2)).Select(d => d.Path));
        Assert.Equal(9, (await test.Store.ListDepthsAsync("orders/us", null, 1))[0].Depth!.Value.Active);

        await test.Store.CommitAsync(new StoreBatch().DeleteEntity("orders/eu"));
        await test.Store.TryCreateEntityAsync(new EntityRecord("orders/eu", Queue, Bytes("again")));
        Assert.Null((await test.Store.ListDepthsAsync("orders/eu", null, 1))[0].Depth);
    }

    [Fact]
    public async Task DepthsSurviveAReopen()
    {
        await using var test = TestStore.Open();
        await test.Store.TryCreateEntityAsync(new EntityRecord("q", Queue, Bytes("q")));
        await test.Store.CommitAsync(new StoreBatch().PutDepth("q", s_depth));
        await test.ReopenAsync();
        Assert.Equal(s_depth, Assert.Single(await test.Store.ListDepthsAsync(null, null, 10)).Depth);
    }

    [Fact]
    public async Task AVersion1StoreIsUpgradedInPlace_ItsEntitiesListedWithoutDepth()
    {
        await using var test = TestStore.Open();
        var path = test.Store.DatabasePath;
        await test.Store.DisposeAsync();
        File.Delete(path);
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            // The version-1 layout, as that build created it.
            command.CommandText = """
                PRAGMA journal_mode = WAL;
                CREATE TABLE entities (path TEXT NOT NULL PRIMARY KEY, kind INTEGER NOT NULL, description BLOB);
                CREATE TABLE messages (entity TEXT NOT NULL, seq INTEGER NOT NULL, payload BLOB, state BLOB, PRIMARY KEY (entity, seq));
                INSERT INTO entities VALUES ('old', 0, x'01');
                INSERT INTO messages VALUES ('old', 1, x'02', NULL);
                PRAGMA application_id = 1280264530;
                PRAGMA user_version = 1;
                """;
            command.ExecuteNonQuery();
        }

        await test.ReopenAsync();
        var old = Assert.Single(await test.Store.ListDepthsAsync(null, null, 10));
        Assert.Equal(("old", (EntityDepth?)null), (old.Path, old.Depth));
        Assert.Single(await test.Store.LoadMessagesAsync("old"));
        await test.Store.CommitAsync(new StoreBatch().PutDepth("old", s_depth));
        Assert.Equal(s_depth, (await test.Store.ListDepthsAsync(null, null, 10))[0].Depth);
    }
}
