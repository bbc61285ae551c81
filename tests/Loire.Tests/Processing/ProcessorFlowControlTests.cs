using Loire.Client;
using Loire.Client.Administration;
using Loire.Tests.Infrastructure;
using Loire.Tests.Queues;
using static Loire.Tests.Processing.ProcessorTestKit;

namespace Loire.Tests.Processing;

/// <summary>Prefetch is credit based: a processor never holds more than MaxConcurrentCalls + PrefetchCount messages.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ProcessorFlowControlTests(ClusterFixture fixture)
{
    private readonly LoireClient _client = fixture.Client;
    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    [Fact]
    public async Task ABlockedHandlerHoldsAtMostMaxConcurrentCallsPlusPrefetchCountMessages()
    {
        const int count = 20;
        const int capacity = 1 + 5;
        var queue = await _admin.CreateQueueAsync();
        await SendNumberedAsync(_client, queue, count);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handledIds = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var errors = new ErrorCollector();
        await using var processor = _client.CreateProcessor(queue, new LoireProcessorOptions { MaxConcurrentCalls = 1, PrefetchCount = 5 });
        processor.ProcessMessageAsync += async args =>
        {
            started.TrySetResult();
            await release.Task.WaitAsync(Patience * 2);
            handledIds.Enqueue(args.Message.MessageId!);
        };
        processor.ProcessErrorAsync += errors.Handler;

        await processor.StartProcessingAsync();
        await started.Task.WaitAsync(Patience);

        // The processor fills its credit and then must not take more, however long the handler blocks.
        await _admin.RuntimePropertiesWhenAsync(queue, p => p.LockedMessageCount == capacity, $"{capacity} locked messages");
        await _admin.AssertLockedStaysAtMostAsync(queue, capacity, TimeSpan.FromSeconds(1));

        // Everything else is still available to other consumers.
        await using (var other = _client.CreateReceiver(queue))
        {
            var rest = await ReceiveAndCompleteAsync(other, count - capacity, Patience);
            Assert.Equal(count - capacity, rest.Count);
        }

        release.TrySetResult();
        await Eventually.TrueAsync(() => Task.FromResult(handledIds.Count == capacity), Patience);
        await processor.StopProcessingAsync();

        errors.AssertNone();
        Assert.Equal(capacity, handledIds.Count);
        Assert.Equal(capacity, handledIds.Distinct().Count());
        Assert.Equal(0, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }

    [Fact]
    public async Task WithoutPrefetchAProcessorHoldsOnlyAsManyMessagesAsItRunsHandlers()
    {
        const int count = 10;
        const int maxConcurrentCalls = 2;
        var queue = await _admin.CreateQueueAsync();
        await SendNumberedAsync(_client, queue, count);
        var running = 0;
        var bothStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new ErrorCollector();
        await using var processor = _client.CreateProcessor(queue, new LoireProcessorOptions { MaxConcurrentCalls = maxConcurrentCalls });
        processor.ProcessMessageAsync += async _ =>
        {
            if (Interlocked.Increment(ref running) == maxConcurrentCalls)
            {
                bothStarted.TrySetResult();
            }

            await release.Task.WaitAsync(Patience * 2);
        };
        processor.ProcessErrorAsync += errors.Handler;

        await processor.StartProcessingAsync();
        await bothStarted.Task.WaitAsync(Patience);
        var properties = await _admin.RuntimePropertiesWhenAsync(queue, p => p.LockedMessageCount == maxConcurrentCalls, "two locked messages");
        Assert.Equal(count, properties.ActiveMessageCount);

        release.TrySetResult();
        await _admin.RuntimePropertiesWhenAsync(queue, p => p.TotalMessageCount == 0, "an empty queue");
        await processor.StopProcessingAsync();
        errors.AssertNone();
    }

    [Fact]
    public async Task AHandlerSlotMovesOnWhileItsAutoCompletionIsOnItsWayButTheCreditWaitsForTheSettlement()
    {
        const int count = 10;
        const int capacity = 1 + 2;
        var queue = await _admin.CreateQueueAsync();
        await SendNumberedAsync(_client, queue, count);
        var handled = 0;
        var capacityHandled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new ErrorCollector();
        await using var processor = _client.CreateProcessor(queue, new LoireProcessorOptions { MaxConcurrentCalls = 1, PrefetchCount = 2 });
        processor.ProcessMessageAsync += _ =>
        {
            if (Interlocked.Increment(ref handled) == capacity)
            {
                capacityHandled.TrySetResult();
            }

            return Task.CompletedTask;
        };
        processor.ProcessErrorAsync += errors.Handler;

        using (SettleCallGate.Hold(queue))
        {
            await processor.StartProcessingAsync();

            // One handler slot handles every message it holds although no completion got through: the slot does not wait for them.
            await capacityHandled.Task.WaitAsync(Patience);

            // Each unsettled message still holds its credit, so nothing more is received.
            await _admin.RuntimePropertiesWhenAsync(queue, p => p.LockedMessageCount == capacity, $"{capacity} locked messages");
            Assert.Equal(capacity, Volatile.Read(ref handled));
        }

        await _admin.RuntimePropertiesWhenAsync(queue, p => p.TotalMessageCount == 0, "an empty queue");
        await processor.StopProcessingAsync();
        errors.AssertNone();
        Assert.Equal(count, Volatile.Read(ref handled));
    }
}
