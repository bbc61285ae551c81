using Loire.Client;
using static Loire.Storage.Redis.Tests.StoreTestKit;

namespace Loire.Storage.Redis.Tests;

public sealed class RedisMessageStoreTests(RedisServerFixture server) : IClassFixture<RedisServerFixture>
{
    [Fact]
    public async Task PutMessages_LoadInSequenceOrder()
    {
        await using var store = await RedisMessageStore.ConnectAsync(Options(server));
        await store.CommitAsync(new StoreBatch()
            .PutMessage("q", 10, Bytes("ten"), Bytes("s10"))
            .PutMessage("q", 2, Bytes("two"), Bytes("s2"))
            .PutMessage("q", -1, Bytes("minus"), Bytes("")));
        await store.CommitAsync(new StoreBatch().PutMessage("q", 3_000_000_000_000, Bytes("big"), Bytes("sb")));
        await store.CommitAsync(new StoreBatch().PutMessage("other", 1, Bytes("x"), Bytes("y")));

        var records = await store.LoadMessagesAsync("q");

        Assert.Equal([-1L, 2, 10, 3_000_000_000_000], records.Select(r => r.SequenceNumber));
        Assert.Equal(["minus", "two", "ten", "big"], records.Select(r => Text(r.Payload)));
        Assert.Equal(["", "s2", "s10", "sb"], records.Select(r => Text(r.State)));
        Assert.Empty(await store.LoadMessagesAsync("nothing-here"));
    }

    [Fact]
    public async Task PutMessage_ReplacesPayloadAndState()
    {
        await using var store = new RedisMessageStore(Options(server));
        await store.CommitAsync(new StoreBatch().PutMessage("q", 1, Bytes("a"), Bytes("s")));
        await store.CommitAsync(new StoreBatch().PutMessage("q", 1, Bytes("b"), Bytes("t")));

        var record = Assert.Single(await store.LoadMessagesAsync("q"));
        Assert.Equal(("b", "t"), (Text(record.Payload), Text(record.State)));
    }

    [Fact]
    public async Task UpdateMessageState_ChangesOnlyTheState_AndIgnoresMissingMessages()
    {
        await using var store = await RedisMessageStore.ConnectAsync(Options(server));
        await store.CommitAsync(new StoreBatch().PutMessage("q", 1, Bytes("payload"), Bytes("new")));

        await store.CommitAsync(new StoreBatch()
            .UpdateMessageState("q", 1, Bytes("locked"))
            .UpdateMessageState("q", 2, Bytes("ghost")));

        var record = Assert.Single(await store.LoadMessagesAsync("q"));
        Assert.Equal(1, record.SequenceNumber);
        Assert.Equal("payload", Text(record.Payload));
        Assert.Equal("locked", Text(record.State));
    }

    [Fact]
    public async Task DeleteMessage_RemovesIt_AndIgnoresMissingMessages()
    {
        await using var store = await RedisMessageStore.ConnectAsync(Options(server));
        await store.CommitAsync(new StoreBatch()
            .PutMessage("q", 1, Bytes("1"), Bytes("s"))
            .PutMessage("q", 2, Bytes("2"), Bytes("s")));

        await store.CommitAsync(new StoreBatch().DeleteMessage("q", 1).DeleteMessage("q", 99));
        // An update after the delete must not bring the state back without a payload.
        await store.CommitAsync(new StoreBatch().UpdateMessageState("q", 1, Bytes("zombie")));

        Assert.Equal([2L], (await store.LoadMessagesAsync("q")).Select(r => r.SequenceNumber));
    }

    [Fact]
    public async Task BatchesQueuedWithoutAwaiting_ApplyInCallOrder()
    {
        // Early delivery relies on this: a settlement queued after a put never lands before it.
        await using var store = await RedisMessageStore.ConnectAsync(Options(server));
        var commits = new List<Task>();
        for (long seq = 1; seq <= 200; seq++)
        {
            commits.Add(store.CommitAsync(new StoreBatch().PutMessage("q", seq, Bytes("p"), Bytes("s0"))).AsTask());
            commits.Add(store.CommitAsync(new StoreBatch().UpdateMessageState("q", seq, Bytes("s1"))).AsTask());
            if (seq % 2 == 0)
            {
                commits.Add(store.CommitAsync(new StoreBatch().DeleteMessage("q", seq)).AsTask());
            }
        }

        await Task.WhenAll(commits);

        var records = await store.LoadMessagesAsync("q");
        Assert.Equal(Enumerable.Range(0, 100).Select(i => 2L * i + 1), records.Select(r => r.SequenceNumber));
        Assert.All(records, r => Assert.Equal("s1", Text(r.State)));
    }

    [Fact]
    public async Task OperationsOfOneBatch_ApplyInOrder()
    {
        await using var store = await RedisMessageStore.ConnectAsync(Options(server));
        await store.CommitAsync(new StoreBatch()
            .PutMessage("q", 1, Bytes("1"), Bytes("a"))
            .UpdateMessageState("q", 1, Bytes("b"))
            .DeleteMessage("q", 1)
            .PutMessage("q", 1, Bytes("again"), Bytes("c")));

        var record = Assert.Single(await store.LoadMessagesAsync("q"));
        Assert.Equal(("again", "c"), (Text(record.Payload), Text(record.State)));
    }

    [Fact]
    public async Task DeleteEntity_RemovesItsMessagesAndCatalogEntry_Only()
    {
        await using var store = await RedisMessageStore.ConnectAsync(Options(server));
        Assert.True(await store.TryCreateEntityAsync(new EntityRecord("q", 1, Bytes("d"))));
        Assert.True(await store.TryCreateEntityAsync(new EntityRecord("q2", 1, Bytes("d2"))));
        await store.CommitAsync(new StoreBatch()
            .PutMessage("q", 1, Bytes("1"), Bytes("s"))
            .PutMessage("q", 2, Bytes("2"), Bytes("s"))
            .PutMessage("q2", 1, Bytes("kept"), Bytes("s")));

        await store.CommitAsync(new StoreBatch().DeleteEntity("q"));

        Assert.Empty(await store.LoadMessagesAsync("q"));
        Assert.Null(await store.GetEntityAsync("q"));
        Assert.Equal(["q2"], (await store.ListEntitiesAsync(null, null, null, 10)).Select(e => e.Path));
        Assert.Single(await store.LoadMessagesAsync("q2"));
        // The path is free again.
        Assert.True(await store.TryCreateEntityAsync(new EntityRecord("q", 2, Bytes("new"))));
    }

    [Fact]
    public async Task TryCreateEntity_RefusesATakenPath_OfAnyKind()
    {
        await using var store = await RedisMessageStore.ConnectAsync(Options(server));
        Assert.True(await store.TryCreateEntityAsync(new EntityRecord("a/b", 1, Bytes("first"))));

        Assert.False(await store.TryCreateEntityAsync(new EntityRecord("a/b", 2, Bytes("second"))));

        var entity = await store.GetEntityAsync("a/b");
        Assert.NotNull(entity);
        Assert.Equal(1, entity.Kind);
        Assert.Equal("first", Text(entity.Description));
        Assert.Null(await store.GetEntityAsync("a/c"));
    }

    [Fact]
    public async Task ConcurrentTryCreate_ExactlyOneWins()
    {
        await using var store = await RedisMessageStore.ConnectAsync(Options(server));
        var attempts = await Task.WhenAll(Enumerable.Range(0, 20)
            .Select(i => store.TryCreateEntityAsync(new EntityRecord("contested", i, Bytes($"{i}")))));

        Assert.Single(attempts, created => created);
        var winner = Array.IndexOf(attempts, true);
        Assert.Equal(winner, (await store.GetEntityAsync("contested"))!.Kind);
    }

    [Fact]
    public async Task PutEntity_InsertsOrReplaces()
    {
        await using var store = await RedisMessageStore.ConnectAsync(Options(server));
        await store.CommitAsync(new StoreBatch().PutEntity(new EntityRecord("t", 2, Bytes("v1"))));
        await store.CommitAsync(new StoreBatch().PutEntity(new EntityRecord("t", 3, Bytes("v2"))));

        var entity = await store.GetEntityAsync("t");
        Assert.Equal((3, "v2"), (entity!.Kind, Text(entity.Description)));
        Assert.Single(await store.ListEntitiesAsync(null, null, null, 10));
    }

    [Fact]
    public async Task ListEntities_FiltersByKindAndPrefix_AndPagesAfterAPath()
    {
        await using var store = await RedisMessageStore.ConnectAsync(Options(server));
        // More entries than one ZRANGEBYLEX chunk (256), in a shuffled creation order.
        var paths = Enumerable.Range(0, 600).Select(i => $"orders/{i:D4}").ToList();
        paths.AddRange(["a", "orders", "ordersx", "orders0", "z/1", "Orders/upper"]);
        var random = new Random(7);
        await Task.WhenAll(paths.OrderBy(_ => random.Next())
            .Select(p => store.TryCreateEntityAsync(new EntityRecord(p, p.EndsWith('5') ? 2 : 1, Bytes(p)))));

        var all = await store.ListEntitiesAsync(null, null, null, 10_000);
        Assert.Equal(paths.Order(StringComparer.Ordinal), all.Select(e => e.Path));

        var prefixed = await store.ListEntitiesAsync(null, "orders/", null, 10_000);
        Assert.Equal(600, prefixed.Count);
        Assert.All(prefixed, e => Assert.StartsWith("orders/", e.Path, StringComparison.Ordinal));

        var kindTwo = await store.ListEntitiesAsync(2, "orders/", null, 10_000);
        Assert.Equal(60, kindTwo.Count);
        Assert.All(kindTwo, e => Assert.Equal(2, e.Kind));

        // Paging: 7 at a time through kind 1 under the prefix, resuming after the last path of each page.
        var paged = new List<string>();
        string? after = null;
        while (true)
        {
            var page = await store.ListEntitiesAsync(1, "orders/", after, 7);
            Assert.True(page.Count <= 7);
            if (page.Count == 0)
            {
                break;
            }

            paged.AddRange(page.Select(e => e.Path));
            after = page[^1].Path;
        }

        Assert.Equal(prefixed.Where(e => e.Kind == 1).Select(e => e.Path), paged);

        // An after-path before the prefix starts at the prefix; one past the prefix finds nothing.
        Assert.Equal("orders/0000", (await store.ListEntitiesAsync(null, "orders/", "a", 1)).Single().Path);
        Assert.Empty(await store.ListEntitiesAsync(null, "orders/", "orders0", 10));
        Assert.Equal(["z/1"], (await store.ListEntitiesAsync(null, null, "ordersx", 10)).Select(e => e.Path));
        Assert.Empty(await store.ListEntitiesAsync(null, null, null, 0));
    }

    [Fact]
    public async Task ConcurrentCommits_AreGroupCommitted()
    {
        await using var store = await RedisMessageStore.ConnectAsync(Options(server));
        var commits = Enumerable.Range(0, 500)
            .Select(i => store.CommitAsync(new StoreBatch().PutMessage($"q{i % 5}", i, Bytes($"{i}"), Bytes("s"))).AsTask())
            .Append(store.TryCreateEntityAsync(new EntityRecord("q0", 1, Bytes("d"))))
            .ToArray();

        await Task.WhenAll(commits).WaitAsync(TestTimeout);

        var statistics = store.GetStatistics();
        Assert.Equal(501, statistics.CommittedBatches);
        Assert.Equal(501, statistics.CommittedOperations);
        Assert.True(statistics.Commits < statistics.CommittedBatches,
            $"{statistics.Commits} commits for {statistics.CommittedBatches} batches: nothing was grouped");
        Assert.Equal(0, statistics.FailedCommits);
        for (var q = 0; q < 5; q++)
        {
            Assert.Equal(100, (await store.LoadMessagesAsync($"q{q}")).Count);
        }
    }

    [Fact]
    public async Task LargeBatch_AndBinaryPayloads_RoundTrip()
    {
        var options = Options(server);
        options.MaxOperationsPerCommit = 100;
        await using var store = await RedisMessageStore.ConnectAsync(options);
        var payload = Enumerable.Range(0, 70_000).Select(i => (byte)i).ToArray();
        var batch = new StoreBatch();
        for (var i = 0; i < 250; i++)
        {
            batch.PutMessage("bin", i, payload, new byte[] { 0, 255, (byte)i });
        }

        await store.CommitAsync(batch).AsTask().WaitAsync(TestTimeout);

        var records = await store.LoadMessagesAsync("bin");
        Assert.Equal(250, records.Count);
        Assert.All(records, r => Assert.True(r.Payload.Span.SequenceEqual(payload)));
        Assert.Equal(new byte[] { 0, 255, 7 }, records[7].State.ToArray());
    }

    [Fact]
    public async Task KeyPrefixes_Isolate_Stores()
    {
        await using var first = await RedisMessageStore.ConnectAsync(Options(server));
        await using var second = await RedisMessageStore.ConnectAsync(Options(server));
        await first.CommitAsync(new StoreBatch().PutMessage("q", 1, Bytes("1"), Bytes("s")).PutEntity(new EntityRecord("q", 1, Bytes("d"))));

        Assert.Empty(await second.LoadMessagesAsync("q"));
        Assert.Empty(await second.ListEntitiesAsync(null, null, null, 10));
    }

    [Fact]
    public async Task InvalidInput_IsRefusedBeforeAnythingIsWritten()
    {
        await using var store = await RedisMessageStore.ConnectAsync(Options(server));
        Assert.Throws<ArgumentException>(() => { _ = store.CommitAsync(new StoreBatch().PutMessage("", 1, Bytes("x"), Bytes("s"))); });
        await Assert.ThrowsAsync<ArgumentException>(() => store.TryCreateEntityAsync(new EntityRecord("", 1, Bytes("d"))));
        await Assert.ThrowsAsync<ArgumentException>(() => store.LoadMessagesAsync(""));
        Assert.Throws<ArgumentException>(() => new RedisMessageStore(new RedisMessageStoreOptions()));
        Assert.Equal(0, store.GetStatistics().Commits);
    }

    [Fact]
    public async Task Dispose_CommitsWhatIsQueued_ThenRefusesWork()
    {
        var options = Options(server);
        var store = await RedisMessageStore.ConnectAsync(options);
        var pending = Enumerable.Range(0, 100)
            .Select(i => store.CommitAsync(new StoreBatch().PutMessage("q", i, Bytes($"{i}"), Bytes("s"))).AsTask())
            .ToArray();

        await store.DisposeAsync();
        await store.DisposeAsync();

        await Task.WhenAll(pending);
        Assert.Throws<ObjectDisposedException>(() => { _ = store.CommitAsync(new StoreBatch().DeleteMessage("q", 0)); });
        await using var reopened = await RedisMessageStore.ConnectAsync(options);
        Assert.Equal(100, (await reopened.LoadMessagesAsync("q")).Count);
    }
}
