using System.Collections.Concurrent;
using Loire.Client;
using Loire.Client.Processing;
using Loire.Messages;

namespace Loire.Tests.Processing;

/// <summary>The processor's auto-completions coalesce while a settle call is in flight (no cluster needed).</summary>
public sealed class CompletionBatcherTests
{
    [Fact]
    public async Task CompletionsArrivingDuringACallGoTogetherInTheNextAndLostLocksAreToldApart()
    {
        var calls = new ConcurrentQueue<Settlement[]>();
        var firstCallEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseFirstCall = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var lostToken = Guid.NewGuid();
        var batcher = new CompletionBatcher(async settlements =>
        {
            calls.Enqueue(settlements);
            if (calls.Count == 1)
            {
                firstCallEntered.TrySetResult();
                await releaseFirstCall.Task;
            }

            return settlements.Any(s => s.LockToken == lostToken) ? [lostToken] : [];
        });

        var first = batcher.CompleteAsync(Guid.NewGuid());
        await firstCallEntered.Task.WaitAsync(ProcessorTestKit.Patience);
        var waiting = Enumerable.Range(0, 4).Select(_ => batcher.CompleteAsync(Guid.NewGuid())).Append(batcher.CompleteAsync(lostToken)).ToArray();
        releaseFirstCall.TrySetResult();
        var results = await Task.WhenAll(waiting).WaitAsync(ProcessorTestKit.Patience);
        await batcher.CloseAsync();

        Assert.True(await first);
        Assert.Equal([true, true, true, true, false], results);
        Assert.Equal([1, 5], calls.Select(c => c.Length).ToArray());
        Assert.All(calls.SelectMany(c => c), s => Assert.Equal(SettlementKind.Complete, s.Kind));
        Assert.Throws<InvalidOperationException>(() => { _ = batcher.CompleteAsync(Guid.NewGuid()); });
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
