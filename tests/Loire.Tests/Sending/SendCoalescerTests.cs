using System.Collections.Concurrent;
using Loire.Client;
using Loire.Client.Sending;
using Loire.Entities;
using Loire.Messages;
using Loire.Tests.Queues;

namespace Loire.Tests.Sending;

/// <summary>Merging of concurrent sends into shared grain calls, against a fake grain call (no cluster needed).</summary>
public sealed class SendCoalescerTests
{
    private static readonly SendTarget Target = new(EntityKind.Queue, "q", "q");

    [Fact]
    public async Task SendsWaitingBehindFullSlotsShareOneCallAndEachGetsItsOwnSequenceNumbers()
    {
        var broker = new FakeBroker(holdFirstCalls: SendCoalescer.MaxCallsInFlight);
        var coalescer = new SendCoalescer(broker.SendAsync);

        var early = Enumerable.Range(0, SendCoalescer.MaxCallsInFlight).Select(c => coalescer.SendAsync(Target, Messages($"early{c}", 1), default)).ToArray();
        await broker.AllHeld.WaitAsync(QueueTestKit.Patience);
        var waiting = Enumerable.Range(0, 40).Select(c => coalescer.SendAsync(Target, Messages($"c{c}", c % 3 + 1), default)).ToArray();
        broker.ReleaseHeld();
        await Task.WhenAll(early.Concat(waiting)).WaitAsync(QueueTestKit.Patience);

        // Each caller's numbers are those the broker gave its own messages, in its own order.
        for (var c = 0; c < waiting.Length; c++)
        {
            var ids = Enumerable.Range(0, c % 3 + 1).Select(i => $"c{c}-{i}");
            var numbers = await waiting[c];
            Assert.Equal(ids.Select(broker.SequenceOf), numbers);
            Assert.DoesNotContain(0, numbers);
        }

        Assert.Equal(SendCoalescer.MaxCallsInFlight + 1, broker.Calls.Count);
        Assert.Equal(40, broker.Calls.Last().Select(m => m.MessageId![..m.MessageId!.IndexOf('-')]).Distinct().Count());
        Assert.Equal(SendCoalescer.MaxCallsInFlight + 1, coalescer.Calls);
        // The last call gives its lane back just after its callers were answered; an idle lane is dropped.
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(coalescer.BusyTargets == 0), QueueTestKit.Patience),
            $"{coalescer.BusyTargets} lanes kept after every send finished.");
    }

    [Fact]
    public async Task AMergedCallRefusedForOneCallersMessageFailsOnlyThatCaller()
    {
        var broker = new FakeBroker(holdFirstCalls: SendCoalescer.MaxCallsInFlight, refuse: "bad");
        var coalescer = new SendCoalescer(broker.SendAsync);
        var early = Enumerable.Range(0, SendCoalescer.MaxCallsInFlight).Select(c => coalescer.SendAsync(Target, Messages($"early{c}", 1), default)).ToArray();
        await broker.AllHeld.WaitAsync(QueueTestKit.Patience);

        var good1 = coalescer.SendAsync(Target, Messages("good1", 2), default);
        var bad = coalescer.SendAsync(Target, [.. Messages("ok", 1), .. Messages("bad", 1)], default);
        var good2 = coalescer.SendAsync(Target, Messages("good2", 1), default);
        broker.ReleaseHeld();

        var refused = await Assert.ThrowsAsync<LoireException>(() => bad.WaitAsync(QueueTestKit.Patience));
        Assert.Equal(LoireErrorReason.MessageSizeExceeded, refused.Reason);
        var (numbers1, numbers2) = (await good1, await good2);
        Assert.Equal([broker.SequenceOf("good1-0"), broker.SequenceOf("good1-1")], numbers1);
        Assert.Equal([broker.SequenceOf("good2-0")], numbers2);
        Assert.NotEqual(0, numbers1[0]);
        Assert.Equal(0, broker.SequenceOf("ok-0"));
        await Task.WhenAll(early);
    }

    [Fact]
    public async Task ATransientFailureOfAMergedCallFailsEveryCallerItCarried()
    {
        var broker = new FakeBroker(holdFirstCalls: SendCoalescer.MaxCallsInFlight, refuse: "x", refusal: LoireErrorReason.ServiceBusy);
        var coalescer = new SendCoalescer(broker.SendAsync);
        var early = Enumerable.Range(0, SendCoalescer.MaxCallsInFlight).Select(c => coalescer.SendAsync(Target, Messages($"early{c}", 1), default)).ToArray();
        await broker.AllHeld.WaitAsync(QueueTestKit.Patience);

        var first = coalescer.SendAsync(Target, Messages("a", 1), default);
        var second = coalescer.SendAsync(Target, Messages("x", 1), default);
        broker.ReleaseHeld();

        Assert.Equal(LoireErrorReason.ServiceBusy, (await Assert.ThrowsAsync<LoireException>(() => first.WaitAsync(QueueTestKit.Patience))).Reason);
        Assert.Equal(LoireErrorReason.ServiceBusy, (await Assert.ThrowsAsync<LoireException>(() => second)).Reason);
        // Transient: no second round of single sends (the executor already retried the merged call).
        Assert.Equal(SendCoalescer.MaxCallsInFlight + 1, broker.Calls.Count);
        await Task.WhenAll(early);
    }

    [Fact]
    public async Task CancellingAWaitingSendWithdrawsItsMessages()
    {
        var broker = new FakeBroker(holdFirstCalls: SendCoalescer.MaxCallsInFlight);
        var coalescer = new SendCoalescer(broker.SendAsync);
        var early = Enumerable.Range(0, SendCoalescer.MaxCallsInFlight).Select(c => coalescer.SendAsync(Target, Messages($"early{c}", 1), default)).ToArray();
        await broker.AllHeld.WaitAsync(QueueTestKit.Patience);

        using var cancellation = new CancellationTokenSource();
        var cancelled = coalescer.SendAsync(Target, Messages("gone", 1), cancellation.Token);
        var kept = coalescer.SendAsync(Target, Messages("kept", 1), default);
        await cancellation.CancelAsync();

        // The cancelled caller stops waiting while every slot is still busy.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(QueueTestKit.Patience));
        broker.ReleaseHeld();
        var keptNumbers = await kept.WaitAsync(QueueTestKit.Patience);
        Assert.Equal([broker.SequenceOf("kept-0")], keptNumbers);
        Assert.NotEqual(0, keptNumbers[0]);
        Assert.Equal(0, broker.SequenceOf("gone-0"));
        await Task.WhenAll(early);
    }

    [Fact]
    public async Task TurnedOffEverySendIsItsOwnCall()
    {
        var broker = new FakeBroker(holdFirstCalls: 0);
        var coalescer = new SendCoalescer(broker.SendAsync, enabled: false);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(c => coalescer.SendAsync(Target, Messages($"c{c}", 1), default)));

        Assert.Equal(20, broker.Calls.Count);
    }

    private static OutgoingMessage[] Messages(string caller, int count) =>
        Enumerable.Range(0, count).Select(i => new OutgoingMessage { MessageId = $"{caller}-{i}", Body = [1, 2, 3] }).ToArray();

    /// <summary>Numbers messages like a queue; holds its first calls until released; refuses batches holding a marked message.</summary>
    private sealed class FakeBroker(int holdFirstCalls, string? refuse = null, LoireErrorReason refusal = LoireErrorReason.MessageSizeExceeded)
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _allHeld = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ConcurrentDictionary<string, long> _stored = new();
        private readonly object _lock = new();
        private long _nextSequence = 1;
        private int _held;

        public ConcurrentQueue<OutgoingMessage[]> Calls { get; } = new();

        public Task AllHeld => _allHeld.Task;

        public void ReleaseHeld() => _release.TrySetResult();

        public long SequenceOf(string messageId) => _stored.GetValueOrDefault(messageId);

        public async ValueTask<long[]> SendAsync(SendTarget target, OutgoingMessage[] messages, CancellationToken cancellationToken)
        {
            Calls.Enqueue(messages);
            if (Interlocked.Increment(ref _held) <= holdFirstCalls)
            {
                if (_held == holdFirstCalls)
                {
                    _allHeld.TrySetResult();
                }

                await _release.Task;
            }

            await Task.Yield();
            if (refuse is not null && messages.Any(m => m.MessageId!.StartsWith(refuse + "-", StringComparison.Ordinal)))
            {
                throw new LoireException(refusal, "refused", target.EntityPath);
            }

            lock (_lock)
            {
                return messages.Select(m => _stored[m.MessageId!] = _nextSequence++).ToArray();
            }
        }
    }
}
