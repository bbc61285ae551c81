using System.Collections.Concurrent;
using Loire.Client;
using Loire.Grains;
using Loire.Tests.Infrastructure;
using Loire.Tests.Processing;
using Loire.Tests.Queues;
using Orleans.Core.Internal;
using static Loire.Tests.Processing.ProcessorTestKit;

namespace Loire.Tests.Delivery;

/// <summary>
/// Processors get their messages pushed through delivery links where push applies (peek-lock, a credit per
/// partition) and poll elsewhere; either way every message is handled once, and a link the broker closes is replaced.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ProcessorPushTests(ClusterFixture fixture)
{
    private readonly LoireClient _client = fixture.Client;

    public static TheoryData<LoireDeliveryMode, LoireReceiveMode, int, bool> Cases => new()
    {
        { LoireDeliveryMode.Push, LoireReceiveMode.PeekLock, 1, true },
        { LoireDeliveryMode.LongPoll, LoireReceiveMode.PeekLock, 1, false },
        { LoireDeliveryMode.Push, LoireReceiveMode.ReceiveAndDelete, 1, false },
        { LoireDeliveryMode.Push, LoireReceiveMode.PeekLock, 4, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task EveryMessageIsHandledOnceWhetherPushedOrPolled(LoireDeliveryMode deliveryMode, LoireReceiveMode receiveMode, int partitions, bool pushed)
    {
        const int count = 200;
        var admin = _client.CreateAdministrationClient();
        var queue = await admin.CreateQueueAsync(o => o.PartitionCount = partitions);
        var handled = new ConcurrentDictionary<string, int>();
        var errors = new ErrorCollector();
        await using var processor = _client.CreateProcessor(queue, new LoireProcessorOptions
        {
            MaxConcurrentCalls = 4,
            PrefetchCount = 20,
            ReceiveMode = receiveMode,
            DeliveryMode = deliveryMode,
        });
        processor.ProcessMessageAsync += args =>
        {
            handled.AddOrUpdate(args.Message.MessageId!, 1, (_, n) => n + 1);
            return Task.CompletedTask;
        };
        processor.ProcessErrorAsync += errors.Handler;
        await processor.StartProcessingAsync();

        var sent = await SendNumberedAsync(_client, queue, count);
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(handled.Count == count), Patience), $"{handled.Count} of {count} handled");
        Assert.Equal(pushed, processor.IsPushing);
        await processor.StopProcessingAsync();

        Assert.Equal(sent.Order(), handled.Keys.Order());
        Assert.All(handled.Values, n => Assert.Equal(1, n));
        await admin.RuntimePropertiesWhenAsync(queue, p => p.TotalMessageCount == 0, "every message completed");
        errors.AssertNone();
    }

    [Fact]
    public async Task AProcessorOpensANewLinkWhenTheQueueMovesAndKeepsHandling()
    {
        var queue = await _client.CreateAdministrationClient().CreateQueueAsync();
        var handled = new ConcurrentQueue<string>();
        var errors = new ErrorCollector();
        await using var processor = _client.CreateProcessor(queue, new LoireProcessorOptions { PrefetchCount = 5 });
        processor.ProcessMessageAsync += args =>
        {
            handled.Enqueue(args.Message.MessageId!);
            return Task.CompletedTask;
        };
        processor.ProcessErrorAsync += errors.Handler;
        await processor.StartProcessingAsync();

        await SendNumberedAsync(_client, queue, 1);
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(handled.Count == 1), Patience));
        Assert.True(processor.IsPushing);

        // The activation closes the link as it goes; the processor opens one on the next activation.
        await fixture.Cluster.Client.GetGrain<IQueueGrain>(queue).AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        for (var round = 0; round < 3; round++)
        {
            await SendNumberedAsync(_client, queue, 1);
        }

        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(handled.Count == 4), Patience), $"{handled.Count} of 4 handled");
        await processor.StopProcessingAsync();
        errors.AssertNone();
    }

    [Fact]
    public async Task StoppingGivesBackWhatWasPushedAheadOfTheHandlers()
    {
        const int count = 30;
        var admin = _client.CreateAdministrationClient();
        var queue = await admin.CreateQueueAsync();
        await SendNumberedAsync(_client, queue, count);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var processor = _client.CreateProcessor(queue, new LoireProcessorOptions { PrefetchCount = 10 });
        processor.ProcessMessageAsync += async args =>
        {
            started.TrySetResult();
            await release.Task;
        };
        processor.ProcessErrorAsync += _ => Task.CompletedTask;
        await processor.StartProcessingAsync();
        await started.Task.WaitAsync(Patience);
        await admin.RuntimePropertiesWhenAsync(queue, p => p.LockedMessageCount == 11, "the handler's message and 10 prefetched locked");

        var stopping = processor.StopProcessingAsync();
        release.TrySetResult();
        await stopping;

        // The handled one is completed; the ten prefetched are available again at once, not when their locks run out.
        await admin.RuntimePropertiesWhenAsync(queue, p => p.LockedMessageCount == 0 && p.ActiveMessageCount == count - 1, "10 given back");
        await using var receiver = _client.CreateReceiver(queue);
        var rest = await ReceiveAndCompleteAsync(receiver, count - 1, Patience);
        Assert.Equal(count - 1, rest.Count);
    }
}
