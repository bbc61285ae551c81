using System.Collections.Concurrent;
using Loire.Client;
using Loire.Client.Administration;
using Loire.Grains;
using Loire.Partitions;
using Loire.Tests.Infrastructure;
using Loire.Tests.Processing;
using Loire.Tests.Queues;
using Loire.Tests.Topics;
using Orleans.Core.Internal;
using static Loire.Tests.Processing.ProcessorTestKit;

namespace Loire.Tests.Delivery;

/// <summary>
/// Processors push on partitioned entities: a link per partition, each granted from its own share of the processor's
/// credit, so the total stays within MaxConcurrentCalls + PrefetchCount and no partition starves.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class PartitionedPushTests(ClusterFixture fixture)
{
    private const int Partitions = 4;
    private readonly LoireClient _client = fixture.Client;
    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EveryMessageOfEveryPartitionIsPushedAndHandledOnce(bool subscription)
    {
        const int perPartition = 25;
        var options = new LoireProcessorOptions { MaxConcurrentCalls = 4, PrefetchCount = 8 };
        var entity = subscription ? await CreatePartitionedTopicAsync() : await CreatePartitionedQueueAsync();
        await using var processor = subscription ? _client.CreateProcessor(entity, "push", options) : _client.CreateProcessor(entity, options);
        var handled = await CountingHandler.StartAsync(processor);

        var sent = await SendToPartitionsAsync(entity, Enumerable.Range(0, Partitions), perPartition);
        await handled.WaitForAsync(sent.Length);
        Assert.True(processor.IsPushing);
        await processor.StopProcessingAsync();

        handled.AssertEachOnce(sent);
        if (subscription)
        {
            await TopicTestKit.EventuallyAsync(() => _admin.GetSubscriptionRuntimePropertiesAsync(entity, "push"),
                p => p.TotalMessageCount == 0, "every message completed");
        }
        else
        {
            await _admin.RuntimePropertiesWhenAsync(entity, p => p.TotalMessageCount == 0, "every message completed");
        }
    }

    [Fact]
    public async Task BlockedHandlersHoldAtMostTheCapacityAcrossAllPartitionsAndEveryPartitionGetsItsShare()
    {
        const int perPartition = 10;
        const int capacity = 2 + 4;
        var queue = await CreatePartitionedQueueAsync();
        await using var processor = _client.CreateProcessor(queue, new LoireProcessorOptions { MaxConcurrentCalls = 2, PrefetchCount = 4 });
        var sent = await SendToPartitionsAsync(queue, Enumerable.Range(0, Partitions), perPartition);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handled = new ConcurrentQueue<LoireReceivedMessage>();
        var errors = new ErrorCollector();
        processor.ProcessMessageAsync += async args =>
        {
            await release.Task.WaitAsync(Patience * 2);
            handled.Enqueue(args.Message);
        };
        processor.ProcessErrorAsync += errors.Handler;
        await processor.StartProcessingAsync();

        // The credit is split (2, 2, 1, 1) and every link fills its share; together they never take more.
        await _admin.RuntimePropertiesWhenAsync(queue, p => p.LockedMessageCount == capacity, $"{capacity} locked messages");
        Assert.True(processor.IsPushing);
        await _admin.AssertLockedStaysAtMostAsync(queue, capacity, TimeSpan.FromSeconds(1));

        await using (var other = _client.CreateReceiver(queue))
        {
            var rest = await ReceiveAndCompleteAsync(other, sent.Length - capacity, Patience);
            Assert.Equal(sent.Length - capacity, rest.Count);
        }

        release.TrySetResult();
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(handled.Count == capacity), Patience), $"{handled.Count} of {capacity} handled");
        await processor.StopProcessingAsync();

        errors.AssertNone();
        Assert.Equal(capacity, handled.Select(m => m.MessageId).Distinct().Count());
        Assert.Equal(Enumerable.Range(0, Partitions), handled.Select(m => PartitionOf(m)).Distinct().Order());
        Assert.Equal(0, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }

    [Fact]
    public async Task APushedMessageOfALaterPartitionIsAbandonedDeadLetteredAndRenewedOnItsPartition()
    {
        const int partition = 2;
        var queue = await CreatePartitionedQueueAsync();
        await using var processor = _client.CreateProcessor(queue, new LoireProcessorOptions { MaxConcurrentCalls = Partitions });
        var redelivered = new TaskCompletionSource<LoireReceivedMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var renewed = new TaskCompletionSource<(DateTimeOffset Before, DateTimeOffset After)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new ErrorCollector();
        processor.ProcessMessageAsync += async args =>
        {
            var message = args.Message;
            switch (message.MessageId!.Split('/')[0])
            {
                case "abandon" when message.DeliveryCount == 1:
                    await args.AbandonMessageAsync();
                    break;
                case "abandon":
                    redelivered.TrySetResult(message);
                    break;
                case "dead-letter":
                    await args.DeadLetterMessageAsync("test", "dead-lettered by the handler");
                    break;
                case "renew":
                    var before = message.LockedUntil;
                    await args.RenewMessageLockAsync();
                    renewed.TrySetResult((before, message.LockedUntil));
                    break;
            }
        };
        processor.ProcessErrorAsync += errors.Handler;
        await processor.StartProcessingAsync();

        var key = KeyOfPartition(partition);
        await using (var sender = _client.CreateSender(queue))
        {
            foreach (var kind in new[] { "abandon", "dead-letter", "renew" })
            {
                await sender.SendMessageAsync(new LoireMessage(kind) { MessageId = $"{kind}/{key}", PartitionKey = key });
            }
        }

        var again = await redelivered.Task.WaitAsync(Patience);
        Assert.Equal(2, again.DeliveryCount);
        Assert.Equal(partition, PartitionOf(again));
        var (lockedUntil, renewedUntil) = await renewed.Task.WaitAsync(Patience);
        Assert.True(renewedUntil >= lockedUntil, $"renewed to {renewedUntil:O}, was {lockedUntil:O}");
        Assert.True(processor.IsPushing);

        await _admin.RuntimePropertiesWhenAsync(queue,
            p => p.ActiveMessageCount == 0 && p.LockedMessageCount == 0 && p.DeadLetterMessageCount == 1, "one dead-lettered, the rest completed");
        await processor.StopProcessingAsync();
        errors.AssertNone();
        await using var deadLetters = _client.CreateReceiver(queue, new LoireReceiverOptions { SubQueue = SubQueue.DeadLetter });
        var dead = Assert.Single(await ReceiveAndCompleteAsync(deadLetters, 1, Patience));
        Assert.Equal($"dead-letter/{key}", dead.MessageId);
        Assert.Equal(partition, PartitionOf(dead));
    }

    [Fact]
    public async Task MessagesOfOnlyOnePartitionAreAllHandledAlthoughTheOthersHoldTheirShareIdle()
    {
        const int count = 60;
        var queue = await CreatePartitionedQueueAsync();
        await using var processor = _client.CreateProcessor(queue, new LoireProcessorOptions { MaxConcurrentCalls = Partitions });
        var handled = await CountingHandler.StartAsync(processor);

        var sent = await SendToPartitionsAsync(queue, [Partitions - 1], count);
        await handled.WaitForAsync(count);
        Assert.True(processor.IsPushing);
        await processor.StopProcessingAsync();
        handled.AssertEachOnce(sent);
    }

    [Fact]
    public async Task APartitionThatMovesGetsANewLinkWhileTheOthersKeepTheirs()
    {
        const int moved = 1;
        var queue = await CreatePartitionedQueueAsync();
        await using var processor = _client.CreateProcessor(queue, new LoireProcessorOptions { MaxConcurrentCalls = Partitions });
        var handled = await CountingHandler.StartAsync(processor);

        var first = await SendToPartitionsAsync(queue, Enumerable.Range(0, Partitions), 1);
        await handled.WaitForAsync(first.Length);
        Assert.True(processor.IsPushing);

        // The partition's activation closes its link as it goes; the processor opens one on the next activation.
        var grain = fixture.Cluster.Client.GetGrain<IQueueGrain>(EntityPartitions.GrainPath(queue, moved));
        await grain.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        var second = await SendToPartitionsAsync(queue, Enumerable.Range(0, Partitions), 3, round: 1);
        await handled.WaitForAsync(first.Length + second.Length);
        await processor.StopProcessingAsync();
        handled.AssertEachOnce([.. first, .. second]);
    }

    [Fact]
    public async Task StoppingClosesEveryLinkAndGivesBackWhatWasPushedAheadOfTheHandler()
    {
        // Quotas of 2: the three partitions with messages fill theirs, the last one's link keeps its credit unused.
        const int capacity = 1 + 7;
        const int locked = (Partitions - 1) * (capacity / Partitions);
        var queue = await CreatePartitionedQueueAsync();
        var sent = await SendToPartitionsAsync(queue, Enumerable.Range(0, Partitions - 1), 5);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var processor = _client.CreateProcessor(queue, new LoireProcessorOptions { PrefetchCount = capacity - 1 });
        processor.ProcessMessageAsync += async _ =>
        {
            started.TrySetResult();
            await release.Task;
        };
        processor.ProcessErrorAsync += _ => Task.CompletedTask;
        await processor.StartProcessingAsync();
        await started.Task.WaitAsync(Patience);
        await _admin.RuntimePropertiesWhenAsync(queue, p => p.LockedMessageCount == locked, $"the handler's message and {locked - 1} pushed ahead locked");
        Assert.True(processor.IsPushing);

        var stopping = processor.StopProcessingAsync();
        release.TrySetResult();
        await stopping;

        // The handled one is completed; those pushed ahead are available again at once, and the idle partition's link
        // is closed, so what arrives there now is not locked for the stopped processor.
        await _admin.RuntimePropertiesWhenAsync(queue, p => p.LockedMessageCount == 0 && p.ActiveMessageCount == sent.Length - 1, $"{locked - 1} given back");
        var later = await SendToPartitionsAsync(queue, [Partitions - 1], 2);
        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.LockedMessageCount == 0 && properties.ActiveMessageCount == sent.Length - 1 + later.Length, QueueTestKit.Describe(properties));
    }

    [Fact]
    public async Task AProcessorWithFewerCreditsThanPartitionsPollsAndHandlesEveryMessage()
    {
        var queue = await CreatePartitionedQueueAsync();
        await using var processor = _client.CreateProcessor(queue, new LoireProcessorOptions { MaxConcurrentCalls = 1, PrefetchCount = Partitions - 2 });
        var handled = await CountingHandler.StartAsync(processor);

        var sent = await SendToPartitionsAsync(queue, Enumerable.Range(0, Partitions), 5);
        await handled.WaitForAsync(sent.Length);
        Assert.False(processor.IsPushing);
        await processor.StopProcessingAsync();
        handled.AssertEachOnce(sent);
    }

    private static int PartitionOf(LoireReceivedMessage message) => EntityPartitions.PartitionOfSequenceNumber(message.SequenceNumber);

    /// <summary>A partition key that maps to partition <paramref name="index"/>.</summary>
    private static string KeyOfPartition(int index) =>
        Enumerable.Range(0, 1_000).Select(k => $"key-{k}").First(key => MessagePartitioner.PartitionOf(key, Partitions) == index);

    /// <summary>Sends <paramref name="perPartition"/> messages to each of <paramref name="partitions"/>, one batch per partition; returns their ids.</summary>
    private async Task<string[]> SendToPartitionsAsync(string entity, IEnumerable<int> partitions, int perPartition, int round = 0)
    {
        var ids = new List<string>();
        await using var sender = _client.CreateSender(entity);
        foreach (var partition in partitions)
        {
            var key = KeyOfPartition(partition);
            var batch = Enumerable.Range(0, perPartition).Select(i => $"{key}/{round}/{i}").ToArray();
            await sender.SendMessagesAsync(batch.Select(id => new LoireMessage(id) { MessageId = id, PartitionKey = key }));
            ids.AddRange(batch);
        }

        return [.. ids];
    }

    private Task<string> CreatePartitionedQueueAsync([System.Runtime.CompilerServices.CallerMemberName] string test = "") =>
        _admin.CreateQueueAsync(o => o.PartitionCount = Partitions, test);

    /// <summary>A partitioned topic with one subscription, "push".</summary>
    private async Task<string> CreatePartitionedTopicAsync()
    {
        var topic = TopicTestKit.NewTopicName("partitioned-push");
        await _admin.CreateTopicAsync(new CreateTopicOptions(topic) { PartitionCount = Partitions });
        await _admin.CreateSubscriptionAsync(topic, "push");
        return topic;
    }

    /// <summary>A handler that counts each delivery by MessageId (auto-complete settles it), and the processor's errors.</summary>
    private sealed class CountingHandler
    {
        private readonly ConcurrentDictionary<string, int> _handled = new();
        private readonly ErrorCollector _errors = new();

        /// <summary>Attaches a counting handler to <paramref name="processor"/> and starts it.</summary>
        public static async Task<CountingHandler> StartAsync(LoireProcessor processor)
        {
            var counting = new CountingHandler();
            processor.ProcessMessageAsync += args =>
            {
                counting._handled.AddOrUpdate(args.Message.MessageId!, 1, (_, n) => n + 1);
                return Task.CompletedTask;
            };
            processor.ProcessErrorAsync += counting._errors.Handler;
            await processor.StartProcessingAsync();
            return counting;
        }

        /// <summary>Waits until <paramref name="count"/> distinct messages were handled; fails after <see cref="Patience"/>.</summary>
        public async Task WaitForAsync(int count) =>
            Assert.True(await Eventually.TrueAsync(() => Task.FromResult(_handled.Count == count), Patience), $"{_handled.Count} of {count} handled");

        /// <summary>Fails unless exactly <paramref name="sent"/> were handled, each once, and no error was reported.</summary>
        public void AssertEachOnce(IEnumerable<string> sent)
        {
            Assert.Equal(sent.Order(), _handled.Keys.Order());
            Assert.All(_handled.Values, n => Assert.Equal(1, n));
            _errors.AssertNone();
        }
    }
}
