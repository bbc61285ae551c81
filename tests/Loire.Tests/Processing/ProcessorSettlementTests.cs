using System.Collections.Concurrent;
using Loire.Client;
using Loire.Client.Administration;
using Loire.Tests.Infrastructure;
using Loire.Tests.Queues;
using static Loire.Tests.Processing.ProcessorTestKit;

namespace Loire.Tests.Processing;

/// <summary>What the processor does with a message after its handler: complete, abandon, or leave it to the handler.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ProcessorSettlementTests(ClusterFixture fixture)
{
    private readonly LoireClient _client = fixture.Client;
    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    [Fact]
    public async Task AHandlerExceptionIsReportedAndTheMessageIsRedelivered()
    {
        var queue = await _admin.CreateQueueAsync();
        await SendNumberedAsync(_client, queue, 1);
        var deliveries = new ConcurrentQueue<int>();
        var secondDelivery = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new ErrorCollector();
        await using var processor = _client.CreateProcessor(queue);
        processor.ProcessMessageAsync += args =>
        {
            deliveries.Enqueue(args.Message.DeliveryCount);
            if (args.Message.DeliveryCount == 1)
            {
                throw new InvalidOperationException("boom");
            }

            secondDelivery.TrySetResult(args.Message.DeliveryCount);
            return Task.CompletedTask;
        };
        processor.ProcessErrorAsync += errors.Handler;

        await processor.StartProcessingAsync();
        var error = await errors.First.WaitAsync(Patience);
        var deliveryCount = await secondDelivery.Task.WaitAsync(Patience);
        await processor.StopProcessingAsync();

        Assert.Equal(LoireErrorSource.ProcessMessageCallback, error.ErrorSource);
        Assert.Equal(queue, error.EntityPath);
        Assert.Equal("boom", Assert.IsType<InvalidOperationException>(error.Exception).Message);
        Assert.Single(errors.Errors);
        Assert.Equal(2, deliveryCount);
        Assert.Equal([1, 2], deliveries.ToArray());
        Assert.Equal(0, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }

    [Fact]
    public async Task AMessageTheHandlerDeadLettersIsNotSettledAgain()
    {
        var queue = await _admin.CreateQueueAsync();
        await SendNumberedAsync(_client, queue, 1);
        var handled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new ErrorCollector();
        await using var processor = _client.CreateProcessor(queue);
        processor.ProcessMessageAsync += async args =>
        {
            await args.DeadLetterMessageAsync("bad-order", "The total is negative.");
            handled.TrySetResult();
        };
        processor.ProcessErrorAsync += errors.Handler;

        await processor.StartProcessingAsync();
        await handled.Task.WaitAsync(Patience);
        await processor.StopProcessingAsync();

        // A second settlement (auto-complete) would have failed with MessageLockLost and been reported.
        errors.AssertNone();
        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.ActiveMessageCount == 0 && properties.DeadLetterMessageCount == 1, QueueTestKit.Describe(properties));
        await using var deadLetters = _client.CreateReceiver(queue, new LoireReceiverOptions { SubQueue = SubQueue.DeadLetter });
        var dead = await deadLetters.ReceiveMessageAsync(Patience);
        Assert.NotNull(dead);
        Assert.Equal("m-0", dead.MessageId);
        Assert.Equal("bad-order", dead.DeadLetterReason);
        Assert.Equal("The total is negative.", dead.DeadLetterErrorDescription);
        await deadLetters.CompleteMessageAsync(dead);
    }

    [Fact]
    public async Task AHandlerThatSettlesAndThenThrowsIsReportedButTheMessageIsNotAbandoned()
    {
        var queue = await _admin.CreateQueueAsync();
        await SendNumberedAsync(_client, queue, 1);
        var errors = new ErrorCollector();
        var calls = 0;
        await using var processor = _client.CreateProcessor(queue);
        processor.ProcessMessageAsync += async args =>
        {
            Interlocked.Increment(ref calls);
            await args.CompleteMessageAsync(args.Message);
            throw new InvalidOperationException("after completing");
        };
        processor.ProcessErrorAsync += errors.Handler;

        await processor.StartProcessingAsync();
        var error = await errors.First.WaitAsync(Patience);
        await processor.StopProcessingAsync();

        Assert.Equal(LoireErrorSource.ProcessMessageCallback, error.ErrorSource);
        Assert.Single(errors.Errors);
        Assert.Equal(1, Volatile.Read(ref calls));
        Assert.Equal(0, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }

    [Fact]
    public async Task WithoutAutoCompleteAnUnsettledMessageStaysLockedAndHandlerSettlementsWork()
    {
        var queue = await _admin.CreateQueueAsync();
        await SendNumberedAsync(_client, queue, 3);
        var handled = new ConcurrentDictionary<string, bool>();
        var allHandled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new ErrorCollector();
        await using var processor = _client.CreateProcessor(queue, new LoireProcessorOptions { AutoCompleteMessages = false, MaxConcurrentCalls = 3 });
        processor.ProcessMessageAsync += async args =>
        {
            switch (args.Message.MessageId)
            {
                case "m-0":
                    await args.CompleteMessageAsync();
                    break;
                case "m-1":
                    await args.DeferMessageAsync();
                    break;
            }

            // m-2 is left alone: without auto-complete it stays locked until its lock expires.
            handled[args.Message.MessageId!] = true;
            if (handled.Count == 3)
            {
                allHandled.TrySetResult();
            }
        };
        processor.ProcessErrorAsync += errors.Handler;

        await processor.StartProcessingAsync();
        await allHandled.Task.WaitAsync(Patience);
        await processor.StopProcessingAsync();

        errors.AssertNone();
        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.DeferredMessageCount == 1 && properties.LockedMessageCount == 1 && properties.TotalMessageCount == 2,
            QueueTestKit.Describe(properties));
    }
}
