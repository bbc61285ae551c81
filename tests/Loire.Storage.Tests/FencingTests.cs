using Microsoft.Data.Sqlite;
using static Loire.Storage.Tests.TestStore;

namespace Loire.Storage.Tests;

/// <summary>Epochs and fenced batches: a superseded activation's writes are refused atomically and alone.</summary>
public sealed class FencingTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AcquireEpoch_HandsOutIncreasingEpochs_OnlyForCatalogEntries()
    {
        await using var test = TestStore.Open();
        var store = test.Store;
        Assert.Null(await store.AcquireEpochAsync("missing"));
        await store.TryCreateEntityAsync(new EntityRecord("a", 1, Bytes("d")));
        await store.TryCreateEntityAsync(new EntityRecord("b", 1, Bytes("d")));

        var first = await store.AcquireEpochAsync("a");
        var second = await store.AcquireEpochAsync("b");
        var third = await store.AcquireEpochAsync("a");

        Assert.NotNull(first);
        Assert.True(first < second && second < third, $"epochs {first}, {second}, {third}");
        // Survives a restart: the next epoch is still above every earlier one.
        await test.ReopenAsync();
        Assert.True(await test.Store.AcquireEpochAsync("b") > third);
    }

    [Fact]
    public async Task StaleEpoch_IsRejected_AndChangesNothing()
    {
        await using var test = TestStore.Open();
        var store = test.Store;
        await store.TryCreateEntityAsync(new EntityRecord("q", 1, Bytes("v1")));
        var old = (await store.AcquireEpochAsync("q"))!.Value;
        await store.CommitAsync(new StoreBatch().RequireEpoch("q", old).PutMessage("q", 1, Bytes("first"), Bytes("s")));
        var current = (await store.AcquireEpochAsync("q"))!.Value;

        var stale = new StoreBatch().RequireEpoch("q", old)
            .PutMessage("q", 1, Bytes("overwrite"), Bytes("s"))
            .PutMessage("q", 2, Bytes("second"), Bytes("s"))
            .PutEntity(new EntityRecord("q", 1, Bytes("v2")));
        var error = await Assert.ThrowsAsync<StaleEpochException>(() => store.CommitAsync(stale).AsTask());

        Assert.Equal(new StoreFence("q", old), error.Fence);
        Assert.Equal(current, error.CurrentEpoch);
        var record = Assert.Single(await store.LoadMessagesAsync("q"));
        Assert.Equal("first", Text(record.Payload));
        Assert.Equal("v1", Text((await store.GetEntityAsync("q"))!.Description));
        // The current epoch still commits.
        await store.CommitAsync(new StoreBatch().RequireEpoch("q", current).PutMessage("q", 2, Bytes("second"), Bytes("s")));
        Assert.Equal(2, (await store.LoadMessagesAsync("q")).Count);
    }

    [Fact]
    public async Task ABatchWithSeveralFences_AppliesOnlyWhileEveryEpochIsCurrent()
    {
        await using var test = TestStore.Open();
        var store = test.Store;
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
    public void ABatchCannotRequireTwoEpochsOfOneEntity()
    {
        var batch = new StoreBatch().RequireEpoch("q", 1).RequireEpoch("q", 1);

        Assert.Throws<ArgumentException>(() => batch.RequireEpoch("q", 2));
        Assert.Equal([new StoreFence("q", 1)], batch.Fences);
    }

    [Fact]
    public async Task StaleBatch_LeavesTheOtherBatchesOfItsGroupCommit()
    {
        await using var test = TestStore.Open();
        var store = test.Store;
        await store.TryCreateEntityAsync(new EntityRecord("q", 1, Bytes("d")));
        await store.TryCreateEntityAsync(new EntityRecord("other", 1, Bytes("d")));
        var old = (await store.AcquireEpochAsync("q"))!.Value;
        var otherEpoch = (await store.AcquireEpochAsync("other"))!.Value;

        using var gate = new WriterGate(store);
        var blocker = store.CommitAsync(new StoreBatch().PutMessage("blocker", 0, Bytes("0"), Bytes("s"))).AsTask();
        await gate.Entered.WaitAsync(Timeout);
        // Queued behind the blocker, in this order, so they share the next group.
        var takeover = store.AcquireEpochAsync("q");
        var fencedOther = store.CommitAsync(new StoreBatch().RequireEpoch("other", otherEpoch).PutMessage("other", 1, Bytes("o1"), Bytes("s"))).AsTask();
        var stale = store.CommitAsync(new StoreBatch().RequireEpoch("q", old).PutMessage("q", 1, Bytes("stale"), Bytes("s"))).AsTask();
        var unfenced = store.CommitAsync(new StoreBatch().PutMessage("plain", 1, Bytes("p1"), Bytes("s"))).AsTask();
        gate.Release();

        await Task.WhenAll(blocker, takeover, fencedOther, unfenced).WaitAsync(Timeout);
        await Assert.ThrowsAsync<StaleEpochException>(() => stale);
        Assert.Equal(2 + 4, store.GetStatistics().Commits); // 2 creations, 2 acquisitions, then the blocker and the shared group
        Assert.Empty(await store.LoadMessagesAsync("q"));
        Assert.Single(await store.LoadMessagesAsync("other"));
        Assert.Single(await store.LoadMessagesAsync("plain"));
    }

    [Fact]
    public async Task DeletingTheEntity_MakesItsEpochStale_AndARecreatedEntityGetsANewOne()
    {
        await using var test = TestStore.Open();
        var store = test.Store;
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

    [Fact]
    public async Task AVersion2File_GetsItsFenceTable_AndKeepsItsEntities()
    {
        await using var test = TestStore.Open();
        var path = test.Store.DatabasePath;
        await test.Store.DisposeAsync();
        File.Delete(path);
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            // The version-2 layout, as that build created it.
            command.CommandText = """
                PRAGMA journal_mode = WAL;
                CREATE TABLE entities (path TEXT NOT NULL PRIMARY KEY, kind INTEGER NOT NULL, description BLOB);
                CREATE TABLE messages (entity TEXT NOT NULL, seq INTEGER NOT NULL, payload BLOB, state BLOB, PRIMARY KEY (entity, seq));
                CREATE TABLE depths (path TEXT NOT NULL PRIMARY KEY, depth BLOB NOT NULL);
                INSERT INTO entities VALUES ('old', 0, x'01');
                PRAGMA application_id = 1280264530;
                PRAGMA user_version = 2;
                """;
            command.ExecuteNonQuery();
        }

        await test.ReopenAsync();
        var epoch = (await test.Store.AcquireEpochAsync("old"))!.Value;
        await test.Store.CommitAsync(new StoreBatch().RequireEpoch("old", epoch).PutMessage("old", 1, Bytes("m"), Bytes("s")));
        Assert.Single(await test.Store.LoadMessagesAsync("old"));
    }
}
