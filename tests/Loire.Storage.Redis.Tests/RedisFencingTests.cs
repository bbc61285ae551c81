using StackExchange.Redis;
using static Loire.Storage.Redis.Tests.StoreTestKit;

namespace Loire.Storage.Redis.Tests;

/// <summary>Epochs and fenced batches on Redis: the commit script skips a stale batch alone, inside the group's script.</summary>
public sealed class RedisFencingTests(RedisServerFixture server) : IClassFixture<RedisServerFixture>
{
    [Fact]
    public async Task AcquireEpoch_HandsOutIncreasingEpochs_OnlyForCatalogEntries()
    {
        var options = Options(server);
        await using var store = await RedisMessageStore.ConnectAsync(options);
        Assert.Null(await store.AcquireEpochAsync("missing"));
        await store.TryCreateEntityAsync(new EntityRecord("a", 1, Bytes("d")));
        await store.TryCreateEntityAsync(new EntityRecord("b", 1, Bytes("d")));

        var first = await store.AcquireEpochAsync("a");
        var second = await store.AcquireEpochAsync("b");
        var third = await store.AcquireEpochAsync("a");

        Assert.NotNull(first);
        Assert.True(first < second && second < third, $"epochs {first}, {second}, {third}");
        // Another store (another silo) on the same prefix continues above them.
        await using var other = await RedisMessageStore.ConnectAsync(options);
        Assert.True(await other.AcquireEpochAsync("b") > third);
    }

    [Fact]
    public async Task StaleEpoch_IsRejected_AndChangesNothing()
    {
        await using var store = await RedisMessageStore.ConnectAsync(Options(server));
        await store.TryCreateEntityAsync(new EntityRecord("q", 1, Bytes("v1")));
        var old = (await store.AcquireEpochAsync("q"))!.Value;
        await store.CommitAsync(new StoreBatch().RequireEpoch("q", old).PutMessage("q", 1, Bytes("first"), Bytes("s")));
        var current = (await store.AcquireEpochAsync("q"))!.Value;

        var stale = new StoreBatch().RequireEpoch("q", old)
            .PutMessage("q", 1, Bytes("overwrite"), Bytes("s"))
            .PutMessage("q", 2, Bytes("second"), Bytes("s"))
            .PutEntity(new EntityRecord("q", 1, Bytes("v2")))
            .DeleteEntity("other");
        var error = await Assert.ThrowsAsync<StaleEpochException>(() => store.CommitAsync(stale).AsTask());

        Assert.Equal(new StoreFence("q", old), error.Fence);
        Assert.Equal(current, error.CurrentEpoch);
        var record = Assert.Single(await store.LoadMessagesAsync("q"));
        Assert.Equal("first", Text(record.Payload));
        Assert.Equal("v1", Text((await store.GetEntityAsync("q"))!.Description));
        await store.CommitAsync(new StoreBatch().RequireEpoch("q", current).PutMessage("q", 2, Bytes("second"), Bytes("s")));
        Assert.Equal(2, (await store.LoadMessagesAsync("q")).Count);
    }

    [Fact]
    public async Task ABatchWithSeveralFences_AppliesOnlyWhileEveryEpochIsCurrent()
    {
        await using var store = await RedisMessageStore.ConnectAsync(Options(server));
        await store.TryCreateEntityAsync(new EntityRecord("topic", 1, Bytes("d")));
        await store.TryCreateEntityAsync(new EntityRecord("sub", 1, Bytes("d")));
        var topic = (await store.AcquireEpochAsync("topic"))!.Value;
        var sub = (await store.AcquireEpochAsync("sub"))!.Value;
        StoreBatch FanOut(string body) => new StoreBatch().RequireEpoch("sub", sub).RequireEpoch("topic", topic)
            .PutMessage("sub", 1, Bytes(body), Bytes("s")).PutEntity(new EntityRecord("topic", 1, Bytes(body)));

        await store.CommitAsync(FanOut("first"));
        Assert.Equal("first", Text(Assert.Single(await store.LoadMessagesAsync("sub")).Payload));

        // A newer activation of the subscription alone makes the whole batch stale, the topic's writes included.
        var newer = (await store.AcquireEpochAsync("sub"))!.Value;
        var error = await Assert.ThrowsAsync<StaleEpochException>(() => store.CommitAsync(FanOut("second")).AsTask());

        Assert.Equal(new StoreFence("sub", sub), error.Fence);
        Assert.Equal(newer, error.CurrentEpoch);
        Assert.Equal("first", Text(Assert.Single(await store.LoadMessagesAsync("sub")).Payload));
        Assert.Equal("first", Text((await store.GetEntityAsync("topic"))!.Description));
    }

    [Fact]
    public async Task StaleBatch_LeavesTheOtherBatchesOfItsGroupCommit()
    {
        await using var store = await RedisMessageStore.ConnectAsync(Options(server));
        await store.TryCreateEntityAsync(new EntityRecord("q", 1, Bytes("d")));
        await store.TryCreateEntityAsync(new EntityRecord("other", 1, Bytes("d")));
        var old = (await store.AcquireEpochAsync("q"))!.Value;
        var otherEpoch = (await store.AcquireEpochAsync("other"))!.Value;
        var before = store.GetStatistics().Commits;

        // Redis holds writes for a moment, so the blocker's script waits and everything queued behind it forms one group.
        await using var admin = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "500", "WRITE");
        var blocker = store.CommitAsync(new StoreBatch().PutMessage("blocker", 0, Bytes("0"), Bytes("s"))).AsTask();
        await Task.Delay(50); // lets the writer send the blocker; not a synchronisation the assertions depend on
        var takeover = store.AcquireEpochAsync("q");
        var fencedOther = store.CommitAsync(new StoreBatch().RequireEpoch("other", otherEpoch).PutMessage("other", 1, Bytes("o1"), Bytes("s"))).AsTask();
        var stale = store.CommitAsync(new StoreBatch().RequireEpoch("q", old).PutMessage("q", 1, Bytes("stale"), Bytes("s"))).AsTask();
        var unfenced = store.CommitAsync(new StoreBatch().PutMessage("plain", 1, Bytes("p1"), Bytes("s"))).AsTask();

        await Task.WhenAll(blocker, takeover, fencedOther, unfenced).WaitAsync(TestTimeout);
        await Assert.ThrowsAsync<StaleEpochException>(() => stale);
        Assert.Empty(await store.LoadMessagesAsync("q"));
        Assert.Single(await store.LoadMessagesAsync("other"));
        Assert.Single(await store.LoadMessagesAsync("plain"));
        var statistics = store.GetStatistics();
        Assert.True(statistics.Commits - before < 5, $"{statistics.Commits - before} commits for 5 requests: nothing was grouped");
        Assert.Equal(0, statistics.FailedCommits);
    }

    [Fact]
    public async Task DeletingTheEntity_MakesItsEpochStale_AndARecreatedEntityGetsANewOne()
    {
        await using var store = await RedisMessageStore.ConnectAsync(Options(server));
        await store.TryCreateEntityAsync(new EntityRecord("q", 1, Bytes("d")));
        var old = (await store.AcquireEpochAsync("q"))!.Value;
        await store.CommitAsync(new StoreBatch().RequireEpoch("q", old).DeleteEntity("q"));

        var afterDelete = await Assert.ThrowsAsync<StaleEpochException>(() =>
            store.CommitAsync(new StoreBatch().RequireEpoch("q", old).PutMessage("q", 1, Bytes("late"), Bytes("s"))).AsTask());
        Assert.Null(afterDelete.CurrentEpoch);

        await store.TryCreateEntityAsync(new EntityRecord("q", 1, Bytes("d")));
        Assert.True(await store.AcquireEpochAsync("q") > old);
        await Assert.ThrowsAsync<StaleEpochException>(() =>
            store.CommitAsync(new StoreBatch().RequireEpoch("q", old).PutMessage("q", 1, Bytes("late"), Bytes("s"))).AsTask());
        Assert.Empty(await store.LoadMessagesAsync("q"));
    }
}
