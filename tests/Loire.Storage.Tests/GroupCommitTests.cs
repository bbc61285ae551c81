using Loire.Client;
using Microsoft.Data.Sqlite;
using static Loire.Storage.Tests.TestStore;

namespace Loire.Storage.Tests;

public sealed class GroupCommitTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task BatchesQueuedDuringACommit_ShareTheNextCommit()
    {
        await using var test = TestStore.Open();
        using var gate = new WriterGate(test.Store);
        var blocker = test.Store.CommitAsync(new StoreBatch().PutMessage("q", 0, Bytes("0"), Bytes("s"))).AsTask();
        await gate.Entered.WaitAsync(Timeout);

        var queued = Enumerable.Range(1, 50)
            .Select(i => test.Store.CommitAsync(new StoreBatch().PutMessage("q", i, Bytes($"{i}"), Bytes("s"))).AsTask())
            .Append(test.Store.TryCreateEntityAsync(new EntityRecord("q", 1, Bytes("d"))))
            .ToArray();
        gate.Release();
        await Task.WhenAll(queued.Append(blocker)).WaitAsync(Timeout);

        var statistics = test.Store.GetStatistics();
        Assert.Equal(2, statistics.Commits);
        Assert.Equal(52, statistics.CommittedBatches);
        Assert.Equal(52, statistics.CommittedOperations);
        Assert.Equal(51, (await test.Store.LoadMessagesAsync("q")).Count);
    }

    [Fact]
    public async Task MaxOperationsPerCommit_SplitsGroups_ButNeverABatch()
    {
        await using var test = TestStore.Open(o => o.MaxOperationsPerCommit = 10);
        using var gate = new WriterGate(test.Store);
        var blocker = test.Store.CommitAsync(new StoreBatch().PutMessage("q", 0, Bytes("0"), Bytes("s"))).AsTask();
        await gate.Entered.WaitAsync(Timeout);

        var big = new StoreBatch();
        for (var i = 100; i < 125; i++)
        {
            big.PutMessage("q", i, Bytes("big"), Bytes("s"));
        }

        var small = Enumerable.Range(1, 20)
            .Select(i => test.Store.CommitAsync(new StoreBatch().PutMessage("q", i, Bytes("small"), Bytes("s"))).AsTask())
            .ToList();
        small.Add(test.Store.CommitAsync(big).AsTask());
        gate.Release();
        await Task.WhenAll(small.Append(blocker)).WaitAsync(Timeout);

        // 1 blocker + 10 + 10 small + the 25-operation batch alone.
        Assert.Equal(4, test.Store.GetStatistics().Commits);
        Assert.Equal(46, (await test.Store.LoadMessagesAsync("q")).Count);
    }

    [Fact]
    public async Task BatchFailingMidway_LeavesNothing_AndTheRestOfItsGroupCommits()
    {
        await using var test = TestStore.Open();
        using var gate = new WriterGate(test.Store);
        var blocker = test.Store.CommitAsync(new StoreBatch().PutMessage("blocker", 0, Bytes("0"), Bytes("s"))).AsTask();
        await gate.Entered.WaitAsync(Timeout);

        var bad = new StoreBatch()
            .PutMessage("bad", 1, Bytes("1"), Bytes("s"))
            .PutEntity(new EntityRecord("bad", 1, Bytes("d")))
            .PutMessage("bad", 2, Bytes("2"), Bytes("s"));
        test.Store.FaultHooks.BeforeOperation = (batch, index) =>
        {
            if (ReferenceEquals(batch, bad) && index == 2)
            {
                throw new InvalidOperationException("injected");
            }
        };
        var before = test.Store.CommitAsync(new StoreBatch().PutMessage("good", 1, Bytes("1"), Bytes("s"))).AsTask();
        var failing = test.Store.CommitAsync(bad).AsTask();
        var after = test.Store.CommitAsync(new StoreBatch().PutMessage("good", 2, Bytes("2"), Bytes("s"))).AsTask();
        gate.Release();

        var error = await Assert.ThrowsAsync<LoireException>(() => failing.WaitAsync(Timeout));
        await Task.WhenAll(before, after, blocker).WaitAsync(Timeout);

        Assert.Equal(LoireErrorReason.GeneralError, error.Reason);
        Assert.IsType<InvalidOperationException>(error.InnerException);
        Assert.Empty(await test.Store.LoadMessagesAsync("bad"));
        Assert.Null(await test.Store.GetEntityAsync("bad"));
        Assert.Equal(2, (await test.Store.LoadMessagesAsync("good")).Count);
        var statistics = test.Store.GetStatistics();
        Assert.Equal(2, statistics.Commits);
        Assert.Equal(3, statistics.CommittedBatches);
    }

    [Fact]
    public async Task StorageErrorInOneBatch_FailsItWithStoreUnavailable()
    {
        await using var test = TestStore.Open();
        test.Store.FaultHooks.BeforeOperation = (batch, index) =>
        {
            if (batch.Operations[index].EntityPath == "full")
            {
                throw new SqliteException("database or disk is full", 13);
            }
        };

        var error = await Assert.ThrowsAsync<LoireException>(() =>
            test.Store.CommitAsync(new StoreBatch().PutMessage("full", 1, Bytes("x"), Bytes("s"))).AsTask());
        await test.Store.CommitAsync(new StoreBatch().PutMessage("fine", 1, Bytes("x"), Bytes("s")));

        Assert.Equal(LoireErrorReason.StoreUnavailable, error.Reason);
        Assert.True(error.IsTransient);
        Assert.Empty(await test.Store.LoadMessagesAsync("full"));
        Assert.Single(await test.Store.LoadMessagesAsync("fine"));
    }

    [Fact]
    public async Task FailedCommit_FailsEveryWaiterWithStoreUnavailable_AppliesNothing_AndTheStoreRecovers()
    {
        await using var test = TestStore.Open();
        var failNext = 1;
        using var gate = new WriterGate(test.Store, afterFirst: () =>
        {
            if (Interlocked.Exchange(ref failNext, 0) == 1)
            {
                throw new SqliteException("disk I/O error", 10);
            }
        });
        var blocker = test.Store.CommitAsync(new StoreBatch().PutMessage("blocker", 0, Bytes("0"), Bytes("s"))).AsTask();
        await gate.Entered.WaitAsync(Timeout);

        var doomed = Enumerable.Range(1, 10)
            .Select(i => test.Store.CommitAsync(new StoreBatch().PutMessage("doomed", i, Bytes($"{i}"), Bytes("s"))).AsTask())
            .Append(test.Store.TryCreateEntityAsync(new EntityRecord("doomed", 1, Bytes("d"))))
            .ToArray();
        gate.Release();
        await blocker.WaitAsync(Timeout);

        foreach (var task in doomed)
        {
            var error = await Assert.ThrowsAsync<LoireException>(() => task.WaitAsync(Timeout));
            Assert.Equal(LoireErrorReason.StoreUnavailable, error.Reason);
            Assert.IsType<SqliteException>(error.InnerException);
        }

        Assert.Empty(await test.Store.LoadMessagesAsync("doomed"));
        Assert.Null(await test.Store.GetEntityAsync("doomed"));

        await test.Store.CommitAsync(new StoreBatch().PutMessage("doomed", 1, Bytes("retry"), Bytes("s"))).AsTask().WaitAsync(Timeout);
        Assert.Single(await test.Store.LoadMessagesAsync("doomed"));
        Assert.Equal(1, test.Store.GetStatistics().FailedCommits);
    }

    [Fact]
    public async Task BatchCancelledWhileQueued_IsDropped_ButAClaimedBatchCommitsRegardless()
    {
        await using var test = TestStore.Open();
        using var gate = new WriterGate(test.Store);
        using var claimedToken = new CancellationTokenSource();
        var claimed = test.Store.CommitAsync(new StoreBatch().PutMessage("claimed", 1, Bytes("x"), Bytes("s")), claimedToken.Token).AsTask();
        await gate.Entered.WaitAsync(Timeout);

        using var queuedToken = new CancellationTokenSource();
        var queued = test.Store.CommitAsync(new StoreBatch().PutMessage("queued", 1, Bytes("x"), Bytes("s")), queuedToken.Token).AsTask();
        var entityQueued = test.Store.TryCreateEntityAsync(new EntityRecord("queued", 1, Bytes("d")), queuedToken.Token);
        claimedToken.Cancel();
        queuedToken.Cancel();

        // The queued requests complete as cancelled at once, while the writer is still held.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued.WaitAsync(Timeout));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => entityQueued.WaitAsync(Timeout));
        gate.Release();
        await claimed.WaitAsync(Timeout);

        Assert.Single(await test.Store.LoadMessagesAsync("claimed"));
        Assert.Empty(await test.Store.LoadMessagesAsync("queued"));
        Assert.Null(await test.Store.GetEntityAsync("queued"));
    }

    [Fact]
    public async Task Reads_AreNotBlockedByACommitInFlight_AndSeeOnlyCommittedData()
    {
        await using var test = TestStore.Open();
        await test.Store.TryCreateEntityAsync(new EntityRecord("q", 1, Bytes("committed")));
        await test.Store.CommitAsync(new StoreBatch().PutMessage("q", 1, Bytes("committed"), Bytes("s")));
        using var gate = new WriterGate(test.Store);
        var inFlight = test.Store.CommitAsync(new StoreBatch()
            .PutMessage("q", 2, Bytes("in flight"), Bytes("s"))
            .PutEntity(new EntityRecord("q", 1, Bytes("in flight")))).AsTask();
        await gate.Entered.WaitAsync(Timeout);

        var quick = TimeSpan.FromSeconds(5);
        var messages = await test.Store.LoadMessagesAsync("q").WaitAsync(quick);
        var entity = await test.Store.GetEntityAsync("q").WaitAsync(quick);
        var list = await test.Store.ListEntitiesAsync(null, null, null, 10).WaitAsync(quick);
        var statistics = test.Store.GetStatistics();

        Assert.False(inFlight.IsCompleted);
        Assert.Equal("committed", Text(Assert.Single(messages).Payload));
        Assert.Equal("committed", Text(entity!.Description));
        Assert.Single(list);
        Assert.Equal(2, statistics.Commits);

        gate.Release();
        await inFlight.WaitAsync(Timeout);
        Assert.Equal(2, (await test.Store.LoadMessagesAsync("q")).Count);
    }
}
