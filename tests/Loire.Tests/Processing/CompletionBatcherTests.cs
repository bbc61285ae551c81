using System.Collections.Concurrent;
using Loire.Client;
using Loire.Client.Processing;
using Loire.Messages;

namespace Loire.Tests.Processing;

/// <summary>The processor's auto-completions: a few settle calls in flight, the rest coalesced into the next (no cluster needed).</summary>
public sealed class CompletionBatcherTests
{
    [Fact]
    public async Task UpToMaxCallsInFlightGoAtOnceAndLaterCompletionsGoTogetherInTheNextAndLostLocksAreToldApart()
    {
        const int inFlight = CompletionBatcher.MaxCallsInFlight;
        var calls = new ConcurrentQueue<Settlement[]>();
        using var entered = new SemaphoreSlim(0);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var lostToken = Guid.NewGuid();
        var batcher = new CompletionBatcher(async settlements =>
        {
            calls.Enqueue(settlements);
            entered.Release();
            await release.Task;
            return settlements.Any(s => s.LockToken == lostToken) ? [lostToken] : [];
        });

        // Each of these finds a free slot and is sent at once, although none of the calls before it has returned.
        var first = new List<Task<bool>>();
        for (var i = 0; i < inFlight; i++)
        {
            first.Add(batcher.CompleteAsync(Guid.NewGuid()));
            Assert.True(await entered.WaitAsync(ProcessorTestKit.Patience), $"Call {i + 1} was not sent while {i} were on their way.");
        }

        var waiting = Enumerable.Range(0, 4).Select(_ => batcher.CompleteAsync(Guid.NewGuid())).Append(batcher.CompleteAsync(lostToken)).ToArray();
        release.TrySetResult();
        var results = await Task.WhenAll(waiting).WaitAsync(ProcessorTestKit.Patience);
        await batcher.CloseAsync();

        Assert.All(await Task.WhenAll(first), Assert.True);
        Assert.Equal([true, true, true, true, false], results);
        Assert.Equal(Enumerable.Repeat(1, inFlight).Append(5).ToArray(), calls.Select(c => c.Length).ToArray());
        Assert.All(calls.SelectMany(c => c), s => Assert.Equal(SettlementKind.Complete, s.Kind));
        Assert.Throws<InvalidOperationException>(() => { _ = batcher.CompleteAsync(Guid.NewGuid()); });
    }

    [Fact]
    public async Task CloseWaitsForTheCallsOnTheirWay()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var batcher = new CompletionBatcher(async _ =>
        {
            entered.TrySetResult();
            await release.Task;
            return [];
        });

        var completion = batcher.CompleteAsync(Guid.NewGuid());
        await entered.Task.WaitAsync(ProcessorTestKit.Patience);
        var close = batcher.CloseAsync();
        Assert.False(close.IsCompleted);

        release.TrySetResult();
        await close.WaitAsync(ProcessorTestKit.Patience);
        Assert.True(await completion);
    }

    [Fact]
    public async Task AFailedCallFailsEveryCompletionItCarried()
    {
        var batcher = new CompletionBatcher(_ => throw new LoireException(LoireErrorReason.ServiceTimeout, "no answer"));

        var exception = await Assert.ThrowsAsync<LoireException>(() => batcher.CompleteAsync(Guid.NewGuid()));
        await batcher.CloseAsync();

        Assert.Equal(LoireErrorReason.ServiceTimeout, exception.Reason);
    }
}
