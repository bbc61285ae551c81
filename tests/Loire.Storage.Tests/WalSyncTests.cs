using Loire.Client;
using static Loire.Storage.Tests.TestStore;

namespace Loire.Storage.Tests;

/// <summary>
/// Full durability flushes the WAL beside the writer: a commit is released only once flushed, the writer commits the
/// next group meanwhile, and a failed flush fails its waiters and stops the store from taking more writes.
/// </summary>
public sealed class WalSyncTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ACommitIsReleasedOnlyOnceTheWalIsFlushed_WhileTheWriterCommitsTheNextGroup()
    {
        await using var test = TestStore.Open(o => o.Durability = SqliteDurability.Full);
        using var release = new ManualResetEventSlim();
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var flushes = 0;
        test.Store.FaultHooks.BeforeWalSync = () =>
        {
            if (Interlocked.Increment(ref flushes) == 1)
            {
                held.TrySetResult();
                release.Wait(Timeout);
            }
        };

        var first = test.Store.CommitAsync(new StoreBatch().PutMessage("q", 1, Bytes("one"), Bytes("s"))).AsTask();
        await held.Task.WaitAsync(Timeout);
        var second = test.Store.CommitAsync(new StoreBatch().PutMessage("q", 2, Bytes("two"), Bytes("s"))).AsTask();

        // The writer committed the second group while the first one's flush is held; neither waiter is released yet.
        var deadline = DateTime.UtcNow + Timeout;
        while ((await test.Store.LoadMessagesAsync("q")).Count < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "The writer did not commit the next group while a flush was held.");
            await Task.Delay(20);
        }

        Assert.False(first.IsCompleted, "A commit was released before its WAL flush.");
        Assert.False(second.IsCompleted, "A commit was released before its WAL flush.");

        release.Set();
        await Task.WhenAll(first, second).WaitAsync(Timeout);
        await test.ReopenAsync();
        Assert.Equal(["one", "two"], (await test.Store.LoadMessagesAsync("q")).Select(r => Text(r.Payload)));
    }

    [Fact]
    public async Task AFailedFlushFailsItsWaiters_AndTheStoreTakesNoMoreWrites()
    {
        await using var test = TestStore.Open(o => o.Durability = SqliteDurability.Full);
        await test.Store.CommitAsync(new StoreBatch().PutMessage("q", 1, Bytes("one"), Bytes("s")));
        test.Store.FaultHooks.BeforeWalSync = () => throw new IOException("Injected flush failure.");

        var failed = await Assert.ThrowsAsync<LoireException>(() => test.Store.CommitAsync(new StoreBatch().PutMessage("q", 2, Bytes("two"), Bytes("s"))).AsTask());
        Assert.Equal(LoireErrorReason.StoreUnavailable, failed.Reason);
        Assert.IsType<IOException>(failed.InnerException);

        test.Store.FaultHooks.BeforeWalSync = null;
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => test.Store.CommitAsync(new StoreBatch().PutMessage("q", 3, Bytes("three"), Bytes("s"))).AsTask());
        Assert.True(refused is LoireException { Reason: LoireErrorReason.StoreUnavailable } or ObjectDisposedException, refused.ToString());
    }
}
