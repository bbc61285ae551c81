using Loire.Client;
using Loire.Client.Administration;
using Loire.Tests.Infrastructure;
using Loire.Tests.Queues;
using static Loire.Tests.Processing.ProcessorTestKit;

namespace Loire.Tests.Processing;

/// <summary>Starting, stopping and disposing a processor; handlers and options.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ProcessorLifecycleTests(ClusterFixture fixture)
{
    private readonly LoireClient _client = fixture.Client;
    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    [Fact]
    public async Task StopWaitsForTheRunningHandlerAndLeavesNothingLocked()
    {
        const int count = 10;
        const int capacity = 1 + 5;
        var queue = await _admin.CreateQueueAsync();
        await SendNumberedAsync(_client, queue, count);
        var started = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var tokenCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = false;
        var calls = 0;
        var errors = new ErrorCollector();
        await using var processor = _client.CreateProcessor(queue, new LoireProcessorOptions { MaxConcurrentCalls = 1, PrefetchCount = 5 });
        processor.ProcessMessageAsync += async args =>
        {
            Interlocked.Increment(ref calls);
            args.CancellationToken.Register(() => tokenCancelled.TrySetResult());
            started.TrySetResult(args.Message.MessageId!);
            await release.Task.WaitAsync(Patience * 2);
            Volatile.Write(ref finished, true);
        };
        processor.ProcessErrorAsync += errors.Handler;

        await processor.StartProcessingAsync();
        var inFlight = await started.Task.WaitAsync(Patience);
        await _admin.RuntimePropertiesWhenAsync(queue, p => p.LockedMessageCount == capacity, $"{capacity} locked messages");

        var stop = processor.StopProcessingAsync();
        await tokenCancelled.Task.WaitAsync(Patience);
        Assert.False(processor.IsProcessing);
        Assert.False(await CompletesWithinAsync(stop, TimeSpan.FromMilliseconds(500)), "Stop returned while a handler was still running.");
        Assert.False(Volatile.Read(ref finished));

        release.TrySetResult();
        await stop.WaitAsync(Patience);

        Assert.True(Volatile.Read(ref finished), "Stop returned before the handler finished.");
        Assert.Equal(1, Volatile.Read(ref calls));
        errors.AssertNone();

        // Right after stop: the handled message is completed, the prefetched ones are given back, nothing is locked.
        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.LockedMessageCount == 0 && properties.ActiveMessageCount == count - 1, QueueTestKit.Describe(properties));
        await using var other = _client.CreateReceiver(queue);
        var rest = await ReceiveAndCompleteAsync(other, count - 1, TimeSpan.FromSeconds(2));
        Assert.Equal(count - 1, rest.Count);
        Assert.DoesNotContain(inFlight, rest.Select(m => m.MessageId));

        // The prefetched ones were abandoned (delivered once before), the others never left the queue.
        Assert.Equal(capacity - 1, rest.Count(m => m.DeliveryCount == 2));
        Assert.Equal(count - capacity, rest.Count(m => m.DeliveryCount == 1));
    }

    [Fact]
    public async Task StopWaitsForAutoCompletionsOnTheirWay()
    {
        var queue = await _admin.CreateQueueAsync();
        await SendNumberedAsync(_client, queue, 1);
        var handled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new ErrorCollector();
        await using var processor = _client.CreateProcessor(queue);
        processor.ProcessMessageAsync += _ =>
        {
            handled.TrySetResult();
            return Task.CompletedTask;
        };
        processor.ProcessErrorAsync += errors.Handler;

        Task stop;
        using (SettleCallGate.Hold(queue))
        {
            await processor.StartProcessingAsync();
            await handled.Task.WaitAsync(Patience);
            stop = processor.StopProcessingAsync();
            Assert.False(await CompletesWithinAsync(stop, TimeSpan.FromMilliseconds(500)), "Stop returned while an auto-completion was on its way.");
        }

        await stop.WaitAsync(Patience);

        // Right after stop the completion is done: nothing is left, nothing is locked.
        errors.AssertNone();
        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.TotalMessageCount == 0, QueueTestKit.Describe(properties));
    }

    [Fact]
    public async Task StoppingAnIdleProcessorCancelsItsLongPollAtOnce()
    {
        var queue = await _admin.CreateQueueAsync();
        var errors = new ErrorCollector();
        await using var processor = _client.CreateProcessor(queue, new LoireProcessorOptions { MaxReceiveWaitTime = TimeSpan.FromSeconds(30), PrefetchCount = 10 });
        processor.ProcessMessageAsync += _ => Task.CompletedTask;
        processor.ProcessErrorAsync += errors.Handler;

        await processor.StartProcessingAsync();

        // Let the receive reach the broker and park there (not a synchronisation: stopping earlier passes too).
        await Task.Delay(300);
        var stop = processor.StopProcessingAsync();
        Assert.True(await CompletesWithinAsync(stop, TimeSpan.FromSeconds(5)), "Stop waited for the long poll to time out.");
        await stop;

        // The cancelled long poll must not swallow a message sent afterwards.
        await using var sender = _client.CreateSender(queue);
        await sender.SendMessageAsync(QueueTestKit.Message("after-stop"));
        await using var receiver = _client.CreateReceiver(queue);
        var message = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(2));
        Assert.Equal("after-stop", message?.MessageId);
        errors.AssertNone();
    }

    [Fact]
    public async Task StartingWithoutBothHandlersThrows()
    {
        var queue = await _admin.CreateQueueAsync();
        await using var processor = _client.CreateProcessor(queue);

        await Assert.ThrowsAsync<InvalidOperationException>(() => processor.StartProcessingAsync());
        processor.ProcessMessageAsync += _ => Task.CompletedTask;
        await Assert.ThrowsAsync<InvalidOperationException>(() => processor.StartProcessingAsync());
        Assert.False(processor.IsProcessing);

        Func<ProcessErrorEventArgs, Task> onError = _ => Task.CompletedTask;
        processor.ProcessErrorAsync += onError;
        Assert.Throws<NotSupportedException>(() => processor.ProcessErrorAsync += _ => Task.CompletedTask);
        processor.ProcessErrorAsync -= onError;
        await Assert.ThrowsAsync<InvalidOperationException>(() => processor.StartProcessingAsync());
    }

    [Fact]
    public async Task HandlersCannotBeChangedWhileRunningAndStartingTwiceThrows()
    {
        var queue = await _admin.CreateQueueAsync();
        await using var processor = _client.CreateProcessor(queue);
        Func<ProcessMessageEventArgs, Task> onMessage = _ => Task.CompletedTask;
        Func<ProcessErrorEventArgs, Task> onError = _ => Task.CompletedTask;
        processor.ProcessMessageAsync += onMessage;
        processor.ProcessErrorAsync += onError;
        await processor.StartProcessingAsync();

        Assert.Throws<InvalidOperationException>(() => processor.ProcessMessageAsync -= onMessage);
        Assert.Throws<InvalidOperationException>(() => processor.ProcessErrorAsync += _ => Task.CompletedTask);
        await Assert.ThrowsAsync<InvalidOperationException>(() => processor.StartProcessingAsync());

        await processor.StopProcessingAsync();
        processor.ProcessMessageAsync -= onMessage;
        processor.ProcessMessageAsync += onMessage;
    }

    [Fact]
    public async Task AStoppedProcessorCanBeStartedAgain()
    {
        var queue = await _admin.CreateQueueAsync();
        var handled = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var errors = new ErrorCollector();
        await using var processor = _client.CreateProcessor(queue);
        processor.ProcessMessageAsync += args =>
        {
            handled.Enqueue(args.Message.MessageId!);
            return Task.CompletedTask;
        };
        processor.ProcessErrorAsync += errors.Handler;
        await using var sender = _client.CreateSender(queue);

        foreach (var id in new[] { "first", "second" })
        {
            await processor.StartProcessingAsync();
            await sender.SendMessageAsync(QueueTestKit.Message(id));
            Assert.True(await Eventually.TrueAsync(() => Task.FromResult(handled.Contains(id)), Patience), $"{id} was not handled");
            await processor.StopProcessingAsync();
            Assert.False(processor.IsProcessing);
        }

        errors.AssertNone();
        Assert.Equal(["first", "second"], handled.ToArray());
        Assert.Equal(0, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }

    [Fact]
    public async Task StopAndDisposeCanRaceAndStopIsIdempotent()
    {
        var queue = await _admin.CreateQueueAsync();
        await SendNumberedAsync(_client, queue, 3);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new ErrorCollector();
        var processor = _client.CreateProcessor(queue, new LoireProcessorOptions { PrefetchCount = 2 });
        processor.ProcessMessageAsync += async _ =>
        {
            started.TrySetResult();
            await release.Task.WaitAsync(Patience);
        };
        processor.ProcessErrorAsync += errors.Handler;
        await processor.StartProcessingAsync();
        await started.Task.WaitAsync(Patience);

        var stop1 = processor.StopProcessingAsync();
        var dispose = processor.DisposeAsync().AsTask();
        var stop2 = processor.StopProcessingAsync();
        release.TrySetResult();
        await Task.WhenAll(stop1, dispose, stop2).WaitAsync(Patience);
        await processor.StopProcessingAsync();
        await processor.DisposeAsync();

        Assert.False(processor.IsProcessing);
        Assert.True(processor.IsClosed);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => processor.StartProcessingAsync());
        errors.AssertNone();
        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.LockedMessageCount == 0 && properties.ActiveMessageCount == 2, QueueTestKit.Describe(properties));
    }

    [Fact]
    public async Task InvalidOptionsAreRejected()
    {
        var queue = await _admin.CreateQueueAsync();

        Assert.Throws<ArgumentOutOfRangeException>(() => _client.CreateProcessor(queue, new LoireProcessorOptions { MaxConcurrentCalls = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => _client.CreateProcessor(queue, new LoireProcessorOptions { PrefetchCount = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => _client.CreateProcessor(queue, new LoireProcessorOptions { MaxAutoLockRenewalDuration = TimeSpan.FromSeconds(-1) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => _client.CreateProcessor(queue, new LoireProcessorOptions { MaxReceiveWaitTime = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(() => _client.CreateProcessor(queue, new LoireProcessorOptions { ReceiveMode = (LoireReceiveMode)7 }));
        QueueTestKit.ThrowsLoire(LoireErrorReason.InvalidArgument, () => _client.CreateProcessor("bad//path"));
        QueueTestKit.ThrowsLoire(LoireErrorReason.InvalidArgument, () => _client.CreateProcessor("topic", "$bad"));

        await using var processor = _client.CreateProcessor(queue, new LoireProcessorOptions { MaxConcurrentCalls = 8, PrefetchCount = 16 });
        Assert.Equal(queue, processor.EntityPath);
        Assert.Equal(8, processor.MaxConcurrentCalls);
        Assert.Equal(16, processor.PrefetchCount);
        Assert.True(processor.AutoCompleteMessages);
        Assert.Equal(TimeSpan.FromMinutes(5), processor.MaxAutoLockRenewalDuration);
        Assert.Equal(LoireReceiveMode.PeekLock, processor.ReceiveMode);
    }

    [Fact]
    public async Task AnErrorForAMissingEntityGoesToTheErrorHandler()
    {
        var errors = new ErrorCollector();
        await using var processor = _client.CreateProcessor(QueueTestKit.NewQueueName());
        processor.ProcessMessageAsync += _ => Task.CompletedTask;
        processor.ProcessErrorAsync += errors.Handler;

        await processor.StartProcessingAsync();
        var error = await errors.First.WaitAsync(Patience);
        await processor.StopProcessingAsync();

        Assert.Equal(LoireErrorSource.Receive, error.ErrorSource);
        Assert.Equal(LoireErrorReason.MessagingEntityNotFound, Assert.IsType<LoireException>(error.Exception).Reason);
    }
}
