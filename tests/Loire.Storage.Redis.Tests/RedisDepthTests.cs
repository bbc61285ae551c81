using static Loire.Storage.Redis.Tests.StoreTestKit;

namespace Loire.Storage.Redis.Tests;

/// <summary>The Redis store keeps recorded depths as the embedded store does (see EntityDepthStoreTests there).</summary>
public sealed class RedisDepthTests(RedisServerFixture server) : IClassFixture<RedisServerFixture>
{
    private static readonly EntityDepth s_depth = new(5, 1, 2, 3, 4096,
        DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000), null, DateTimeOffset.FromUnixTimeMilliseconds(1_750_000_000_000));

    [Fact]
    public async Task DepthsAreListedWithTheCatalog_PagedByPrefix_AndGoWithTheirEntity()
    {
        await using var store = await RedisMessageStore.ConnectAsync(Options(server));
        foreach (var path in new[] { "orders", "orders/eu", "orders/us", "ordersx", "other" })
        {
            Assert.True(await store.TryCreateEntityAsync(new EntityRecord(path, 0, Bytes(path))));
            await store.CommitAsync(new StoreBatch().PutDepth(path, s_depth with { Active = path.Length }));
        }

        await store.CommitAsync(new StoreBatch().PutDepth("ghost", s_depth));
        var all = await store.ListDepthsAsync(null, null, 100);
        Assert.Equal(["orders", "orders/eu", "orders/us", "ordersx", "other"], all.Select(d => d.Path));
        Assert.Equal(s_depth with { Active = 6 }, all[0].Depth);
        Assert.Equal(["orders/eu", "orders/us"], (await store.ListDepthsAsync("orders/", null, 10)).Select(d => d.Path));
        Assert.Equal(["orders/us", "ordersx"], (await store.ListDepthsAsync("orders", "orders/eu", 2)).Select(d => d.Path));

        await store.CommitAsync(new StoreBatch().DeleteEntity("orders/eu"));
        Assert.True(await store.TryCreateEntityAsync(new EntityRecord("orders/eu", 0, Bytes("again"))));
        Assert.True(await store.TryCreateEntityAsync(new EntityRecord("ghost", 0, Bytes("g"))));
        Assert.Null((await store.ListDepthsAsync("orders/eu", null, 1))[0].Depth);
        Assert.Null((await store.ListDepthsAsync("ghost", null, 1))[0].Depth);
    }

    [Fact]
    public async Task ListingManyEntitiesCrossesChunks()
    {
        await using var store = await RedisMessageStore.ConnectAsync(Options(server));
        for (var i = 0; i < 600; i++)
        {
            var path = $"q{i:D4}";
            await store.TryCreateEntityAsync(new EntityRecord(path, 0, Bytes(path)));
            await store.CommitAsync(new StoreBatch().PutDepth(path, s_depth with { Active = i }));
        }

        var all = await store.ListDepthsAsync(null, null, 1000);
        Assert.Equal(600, all.Count);
        Assert.Equal(Enumerable.Range(0, 600).Select(i => (long)i), all.Select(d => d.Depth!.Value.Active));
        Assert.Equal(300, (await store.ListDepthsAsync(null, null, 300)).Count);
    }
}
