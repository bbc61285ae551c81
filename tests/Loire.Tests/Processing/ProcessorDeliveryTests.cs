using System.Collections.Concurrent;
using Loire.Client;
using Loire.Client.Administration;
using Loire.Tests.Infrastructure;
using Loire.Tests.Queues;
using static Loire.Tests.Processing.ProcessorTestKit;

namespace Loire.Tests.Processing;

/// <summary>The processor delivers every message to a handler once, within its concurrency limit.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ProcessorDeliveryTests(ClusterFixture fixture)
{
    private readonly LoireClient _client = fixture.Client;
    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    [Fact]
    public async Task ProcessesEveryMessageExactlyOnceAndAutoCompletesThem()
    {
        const int count = 200;
        var queue = await _admin.CreateQueueAsync();
        var ids = await SendNumberedAsync(_client, queue, count);
        var calls = new ConcurrentDictionary<string, int>();
        var allSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new ErrorCollector();
        await using var processor = _client.CreateProcessor(queue, new LoireProcessorOptions { MaxConcurrentCalls = 4 });
        processor.ProcessMessageAsync += args =>
        {
            calls.AddOrUpdate(args.Message.MessageId!, 1, (_, n) => n + 1);
            if (calls.Count == count)
            {
                allSeen.TrySetResult();
            }

            return Task.CompletedTask;
        };
        processor.ProcessErrorAsync += errors.Handler;

        await processor.StartProcessingAsync();
        Assert.True(processor.IsProcessing);
        await allSeen.Task.WaitAsync(Patience * 3);
        await processor.StopProcessingAsync();

        Assert.False(processor.IsProcessing);
        errors.AssertNone();
        Assert.Equal(ids.Order(StringComparer.Ordinal), calls.Keys.Order(StringComparer.Ordinal));
        Assert.All(calls, pair => Assert.True(pair.Value == 1, $"{pair.Key} was handled {pair.Value} times"));
        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.TotalMessageCount == 0, QueueTestKit.Describe(properties));
    }

    [Fact]
    public async Task ConcurrentHandlersReachButNeverExceedMaxConcurrentCalls()
    {
        const int count = 40;
        const int maxConcurrentCalls = 3;
        var queue = await _admin.CreateQueueAsync();
        await SendNumberedAsync(_client, queue, count);
        var running = 0;
        var maxRunning = 0;
        var handled = 0;
        var limitReached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var allHandled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new ErrorCollector();
        await using var processor = _client.CreateProcessor(queue, new LoireProcessorOptions { MaxConcurrentCalls = maxConcurrentCalls, PrefetchCount = 10 });
        processor.ProcessMessageAsync += async args =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref maxRunning, now);
            if (now == maxConcurrentCalls)
            {
                limitReached.TrySetResult();
            }

            // The first handlers wait until the limit is reached, which proves they run concurrently.
            await limitReached.Task.WaitAsync(Patience);
            await Task.Yield();
            Interlocked.Decrement(ref running);
            if (Interlocked.Increment(ref handled) == count)
            {
                allHandled.TrySetResult();
            }
        };
        processor.ProcessErrorAsync += errors.Handler;

        await processor.StartProcessingAsync();
        await allHandled.Task.WaitAsync(Patience * 2);
        await processor.StopProcessingAsync();

        errors.AssertNone();
        Assert.Equal(maxConcurrentCalls, Volatile.Read(ref maxRunning));
        Assert.Equal(count, Volatile.Read(ref handled));
        Assert.Equal(0, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }

    [Fact]
    public async Task ASubscriptionProcessorProcessesTheSubscriptionsMessages()
    {
        const int count = 20;
        var topic = $"topics/processor-{Guid.NewGuid().ToString("N")[..8]}";
        await _admin.CreateTopicAsync(topic);
        await _admin.CreateSubscriptionAsync(topic, "workers");
        var ids = await SendNumberedAsync(_client, topic, count);
        var seen = new ConcurrentDictionary<string, int>();
        var allSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new ErrorCollector();
        await using var processor = _client.CreateProcessor(topic, "workers", new LoireProcessorOptions { MaxConcurrentCalls = 2, PrefetchCount = 5 });
        processor.ProcessMessageAsync += args =>
        {
            seen.AddOrUpdate(args.Message.MessageId!, 1, (_, n) => n + 1);
            if (seen.Count == count)
            {
                allSeen.TrySetResult();
            }

            return Task.CompletedTask;
        };
        processor.ProcessErrorAsync += errors.Handler;

        Assert.Equal($"{topic}/subscriptions/workers", processor.EntityPath);
        await processor.StartProcessingAsync();
        await allSeen.Task.WaitAsync(Patience);
        await processor.StopProcessingAsync();

        errors.AssertNone();
        Assert.Equal(ids.Order(StringComparer.Ordinal), seen.Keys.Order(StringComparer.Ordinal));
        Assert.All(seen.Values, n => Assert.Equal(1, n));
        var properties = await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "workers");
        Assert.Equal(0, properties.TotalMessageCount);
    }

    [Fact]
    public async Task AReceiveAndDeleteProcessorHandlesEveryMessageAndCannotSettle()
    {
        const int count = 10;
        var queue = await _admin.CreateQueueAsync();
        await SendNumberedAsync(_client, queue, count);
        var seen = new ConcurrentDictionary<string, int>();
        var settleErrors = new ConcurrentQueue<Exception>();
        var allSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new ErrorCollector();
        await using var processor = _client.CreateProcessor(queue, new LoireProcessorOptions
        {
            MaxConcurrentCalls = 2,
            PrefetchCount = 5,
            ReceiveMode = LoireReceiveMode.ReceiveAndDelete,
        });
        processor.ProcessMessageAsync += async args =>
        {
            try
            {
                await args.CompleteMessageAsync();
            }
            catch (InvalidOperationException exception)
            {
                settleErrors.Enqueue(exception);
            }

            seen.AddOrUpdate(args.Message.MessageId!, 1, (_, n) => n + 1);
            if (seen.Count == count)
            {
                allSeen.TrySetResult();
            }
        };
        processor.ProcessErrorAsync += errors.Handler;

        await processor.StartProcessingAsync();
        await allSeen.Task.WaitAsync(Patience);
        await processor.StopProcessingAsync();

        errors.AssertNone();
        Assert.Equal(count, seen.Count);
        Assert.Equal(count, settleErrors.Count);
        Assert.Equal(0, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
