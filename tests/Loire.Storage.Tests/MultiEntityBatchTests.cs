using static Loire.Storage.Tests.TestStore;

namespace Loire.Storage.Tests;

/// <summary>
/// The contract a topic's fan-out relies on: one batch that writes several entities (messages, depth records, catalog
/// entries) is applied whole or not at all, also when it shares its group commit with other batches.
/// </summary>
public sealed class MultiEntityBatchTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly string[] Subscriptions = ["t/subscriptions/a", "t/subscriptions/b", "t/subscriptions/c"];

    [Fact]
    public async Task ABatchAcrossEntities_AppliesEveryOperation_AndSurvivesAReopen()
    {
        await using var test = TestStore.Open();
        await CreateSubscriptionsAsync(test.Store);

        await test.Store.CommitAsync(FanOut(7, "topic"));
        await test.ReopenAsync();

        for (var e = 0; e < Subscriptions.Length; e++)
        {
            Assert.Equal($"m{e}", Text(Assert.Single(await test.Store.LoadMessagesAsync(Subscriptions[e])).Payload));
        }

        Assert.Equal("history", Text(Assert.Single(await test.Store.LoadMessagesAsync("t/$duplicates")).Payload));
        Assert.Equal("topic", Text((await test.Store.GetEntityAsync("t"))!.Description));
        Assert.Equal([1L, 2, 3], (await test.Store.ListDepthsAsync("t/subscriptions/", null, 10)).Select(d => d.Depth!.Value.Active));
    }

    [Fact]
    public async Task ABatchAcrossEntitiesFailingAtItsLastEntity_LeavesEveryEntityUntouched_AndItsGroupCommits()
    {
        await using var test = TestStore.Open();
        await CreateSubscriptionsAsync(test.Store);
        using var gate = new WriterGate(test.Store);
        var blocker = test.Store.CommitAsync(new StoreBatch().PutMessage("blocker", 0, Bytes("0"), Bytes("s"))).AsTask();
        await gate.Entered.WaitAsync(Timeout);

        var failing = FanOut(8, "changed");
        var last = failing.Operations.Count - 1;
        test.Store.FaultHooks.BeforeOperation = (batch, index) =>
        {
            if (ReferenceEquals(batch, failing) && index == last)
            {
                throw new InvalidOperationException("injected");
            }
        };
        var before = test.Store.CommitAsync(new StoreBatch().PutMessage("other", 1, Bytes("1"), Bytes("s"))).AsTask();
        var refused = test.Store.CommitAsync(failing).AsTask();
        var after = test.Store.CommitAsync(new StoreBatch().PutMessage("other", 2, Bytes("2"), Bytes("s"))).AsTask();
        gate.Release();

        await Task.WhenAll(blocker, before, after).WaitAsync(Timeout);
        await Assert.ThrowsAnyAsync<Exception>(() => refused.WaitAsync(Timeout));
        foreach (var path in Subscriptions)
        {
            Assert.Empty(await test.Store.LoadMessagesAsync(path));
        }

        Assert.Empty(await test.Store.LoadMessagesAsync("t/$duplicates"));
        Assert.Null(await test.Store.GetEntityAsync("t"));
        Assert.All(await test.Store.ListDepthsAsync("t/subscriptions/", null, 10), d => Assert.Null(d.Depth));
        Assert.Equal(2, (await test.Store.LoadMessagesAsync("other")).Count);
    }

    private static async Task CreateSubscriptionsAsync(SqliteMessageStore store)
    {
        foreach (var path in Subscriptions)
        {
            Assert.True(await store.TryCreateEntityAsync(new EntityRecord(path, 2, Bytes("sub"))));
        }
    }

    /// <summary>What a topic's fan-out writes: a copy and the depth of each subscription, its history record and its own entry last.</summary>
    private static StoreBatch FanOut(long sequenceNumber, string topicDescription)
    {
        var batch = new StoreBatch();
        for (var e = 0; e < Subscriptions.Length; e++)
        {
            batch.PutMessage(Subscriptions[e], sequenceNumber, Bytes($"m{e}"), ReadOnlyMemory<byte>.Empty)
                .PutDepth(Subscriptions[e], new EntityDepth(e + 1, 0, 0, 0, 10, null, null, DateTimeOffset.UtcNow));
        }

        return batch.PutMessage("t/$duplicates", sequenceNumber, Bytes("history"), ReadOnlyMemory<byte>.Empty)
            .PutEntity(new EntityRecord("t", 1, Bytes(topicDescription)));
    }
}
