using System.Collections.Concurrent;
using Loire.Client;
using Loire.Client.Administration;
using Loire.Partitions;
using Loire.Tests.Infrastructure;
using static Loire.Tests.Queues.QueueTestKit;

namespace Loire.Tests.Partitions;

/// <summary>Partitioned queues end to end through the public client.</summary>
[Collection(ClusterCollection.Name)]
public sealed class PartitionedQueueTests(ClusterFixture fixture)
{
    private const int Partitions = 4;
    private readonly LoireClient _client = fixture.Client;
    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    [Fact]
    public async Task KeyedMessagesLandInTheirKeysPartitionAndKeepTheirOrderPerKey()
    {
        var queue = await _admin.CreateTestQueueAsync(o => o.PartitionCount = Partitions);
        var keys = Enumerable.Range(0, 8).Select(k => $"key-{k}").ToArray();
        await using var sender = _client.CreateSender(queue);
        for (var i = 0; i < 10; i++)
        {
            foreach (var key in keys)
            {
                await sender.SendMessageAsync(new LoireMessage($"{key}/{i}") { MessageId = $"{key}/{i}", PartitionKey = key });
            }
        }

        await using var receiver = _client.CreateReceiver(queue);
        var received = await ReceiveAtLeastAsync(receiver, keys.Length * 10, batchSize: 7);
        await receiver.CompleteMessagesAsync(received);

        Assert.Equal(keys.Length * 10, received.Count);
        foreach (var group in received.GroupBy(m => m.PartitionKey!))
        {
            var expected = MessagePartitioner.PartitionOf(group.Key, Partitions);
            Assert.All(group, m => Assert.Equal(expected, EntityPartitions.PartitionOfSequenceNumber(m.SequenceNumber)));
            Assert.Equal(Enumerable.Range(0, 10).Select(i => $"{group.Key}/{i}"), group.Select(m => m.Body.ToString()));
        }

        var used = received.Select(m => EntityPartitions.PartitionOfSequenceNumber(m.SequenceNumber)).Distinct().Count();
        Assert.True(used >= 2, $"8 keys used only {used} partition(s)");
        Assert.Equal(keys.Select(k => MessagePartitioner.PartitionOf(k, Partitions)).Distinct().Count(), used);
        await _admin.RuntimePropertiesWhenAsync(queue, p => p.TotalMessageCount == 0, "every message completed");
    }

    [Fact]
    public async Task UnkeyedSendsSpreadOverEveryPartitionAndCountsSumOverThem()
    {
        var queue = await _admin.CreateTestQueueAsync(o => o.PartitionCount = Partitions);
        await using var sender = _client.CreateSender(queue);
        for (var i = 0; i < 40; i++)
        {
            await sender.SendMessageAsync(Message($"m{i}"));
        }

        await using var receiver = _client.CreateReceiver(queue);
        var peeked = await receiver.PeekMessagesAsync(100);

        Assert.Equal(40, peeked.Count);
        Assert.Equal(peeked.Select(m => m.SequenceNumber).Order(), peeked.Select(m => m.SequenceNumber));
        var perPartition = peeked.GroupBy(m => EntityPartitions.PartitionOfSequenceNumber(m.SequenceNumber)).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Enumerable.Range(0, Partitions), perPartition.Keys.Order());
        Assert.All(perPartition.Values, count => Assert.Equal(10, count));
        Assert.Empty(await receiver.PeekMessagesAsync(10));

        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.Equal(40, properties.ActiveMessageCount);
        Assert.Equal(Partitions, (await _admin.GetQueueAsync(queue)).PartitionCount);
        var listed = new List<string>();
        await foreach (var q in _admin.GetQueuesAsync())
        {
            listed.Add(q.Name);
        }

        Assert.Contains(queue, listed);
        Assert.DoesNotContain(listed, name => name.StartsWith(queue + "/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OneReceiverAndOneProcessorDrainEveryPartitionExactlyOnce()
    {
        var queue = await _admin.CreateTestQueueAsync(o => o.PartitionCount = Partitions);
        await using var sender = _client.CreateSender(queue);
        var ids = Enumerable.Range(0, 120).Select(i => $"m{i}").ToList();
        foreach (var chunk in ids.Chunk(10))
        {
            await sender.SendMessagesAsync(chunk.Select(Message));
        }

        await using var receiver = _client.CreateReceiver(queue);
        var byReceiver = new List<LoireReceivedMessage>();
        while (byReceiver.Count < 60)
        {
            // Small batches: each call starts at the next partition, so the receiver visits them all.
            var batch = await receiver.ReceiveMessagesAsync(5, Patience);
            Assert.NotEmpty(batch);
            await receiver.CompleteMessagesAsync(batch);
            byReceiver.AddRange(batch);
        }

        var byProcessor = new ConcurrentDictionary<string, int>();
        var processorPartitions = new ConcurrentDictionary<int, bool>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var processor = _client.CreateProcessor(queue, new LoireProcessorOptions { MaxConcurrentCalls = 3, PrefetchCount = 5 });
        processor.ProcessMessageAsync += args =>
        {
            byProcessor.AddOrUpdate(args.Message.MessageId!, 1, (_, n) => n + 1);
            processorPartitions[EntityPartitions.PartitionOfSequenceNumber(args.Message.SequenceNumber)] = true;
            if (byProcessor.Count == ids.Count - 60)
            {
                done.TrySetResult();
            }

            return Task.CompletedTask;
        };
        processor.ProcessErrorAsync += args => Task.CompletedTask;
        await processor.StartProcessingAsync();
        await done.Task.WaitAsync(Patience * 3);
        await processor.StopProcessingAsync();

        var all = byReceiver.Select(m => m.MessageId!).Concat(byProcessor.Keys).ToList();
        Assert.Equal(ids.Order(StringComparer.Ordinal), all.Order(StringComparer.Ordinal));
        Assert.All(byProcessor, pair => Assert.Equal(1, pair.Value));
        Assert.Equal(Partitions, byReceiver.Select(m => EntityPartitions.PartitionOfSequenceNumber(m.SequenceNumber)).Distinct().Count());
        Assert.Equal(Partitions, processorPartitions.Count);
        await _admin.RuntimePropertiesWhenAsync(queue, p => p.TotalMessageCount == 0, "every message completed");
    }

    [Fact]
    public async Task AWaitingReceiverGetsAMessageSentToAnyPartition()
    {
        var queue = await _admin.CreateTestQueueAsync(o => o.PartitionCount = Partitions);
        await using var receiver = _client.CreateReceiver(queue);
        await using var sender = _client.CreateSender(queue);
        foreach (var key in new[] { "a", "b", "c", "d", "e" })
        {
            var receive = receiver.ReceiveMessageAsync(Patience);
            await Task.Delay(200); // let the receive reach its long poll; the assertion does not depend on it
            await sender.SendMessageAsync(new LoireMessage(key) { PartitionKey = key });
            var message = await receive;
            Assert.NotNull(message);
            Assert.Equal(key, message.Body.ToString());
            await receiver.CompleteMessageAsync(message);
        }

        // Long polls that lost the race were cancelled, not left parked: a message sent now is not locked away.
        await sender.SendMessageAsync(new LoireMessage("after"));
        var after = await receiver.ReceiveMessageAsync(Patience);
        Assert.Equal("after", after?.Body.ToString());
        await _admin.RuntimePropertiesWhenAsync(queue, p => p.LockedMessageCount == 1 && p.TotalMessageCount == 1, "only the last message, locked by us");
    }

    [Fact]
    public async Task ScheduledMessagesAreCancelledAndDeferredOnesReceivedBySequenceNumberInEveryPartition()
    {
        var queue = await _admin.CreateTestQueueAsync(o => o.PartitionCount = Partitions);
        await using var sender = _client.CreateSender(queue);
        var keys = Enumerable.Range(0, 8).Select(k => $"k{k}").ToArray();
        var scheduled = new List<long>();
        foreach (var key in keys)
        {
            scheduled.Add(await sender.ScheduleMessageAsync(new LoireMessage(key) { PartitionKey = key }, DateTimeOffset.UtcNow.AddMinutes(5)));
        }

        Assert.True(scheduled.Select(EntityPartitions.PartitionOfSequenceNumber).Distinct().Count() >= 2);
        await _admin.RuntimePropertiesWhenAsync(queue, p => p.ScheduledMessageCount == keys.Length, "all scheduled");
        await sender.CancelScheduledMessagesAsync(scheduled);
        await _admin.RuntimePropertiesWhenAsync(queue, p => p.TotalMessageCount == 0, "all cancelled");

        foreach (var key in keys)
        {
            await sender.SendMessageAsync(new LoireMessage(key) { PartitionKey = key });
        }

        await using var receiver = _client.CreateReceiver(queue);
        var received = await ReceiveAtLeastAsync(receiver, keys.Length);
        foreach (var message in received)
        {
            await receiver.DeferMessageAsync(message);
        }

        await _admin.RuntimePropertiesWhenAsync(queue, p => p.DeferredMessageCount == keys.Length, "all deferred");
        var deferred = await receiver.ReceiveDeferredMessagesAsync(received.Select(m => m.SequenceNumber));
        Assert.Equal(keys.Order(), deferred.Select(m => m.Body.ToString()).Order());
        await receiver.CompleteMessagesAsync(deferred);
        await _admin.RuntimePropertiesWhenAsync(queue, p => p.TotalMessageCount == 0, "all completed");
    }

    [Fact]
    public async Task DeadLettersOfEveryPartitionAreReceivedResubmittedAndPurged()
    {
        var queue = await _admin.CreateTestQueueAsync(o => o.PartitionCount = Partitions);
        await using var sender = _client.CreateSender(queue);
        for (var i = 0; i < 12; i++)
        {
            await sender.SendMessageAsync(Message($"m{i}"));
        }

        await using var receiver = _client.CreateReceiver(queue);
        var received = await ReceiveAtLeastAsync(receiver, 12);
        foreach (var message in received)
        {
            await receiver.DeadLetterMessageAsync(message, "test");
        }

        await _admin.RuntimePropertiesWhenAsync(queue, p => p.DeadLetterMessageCount == 12, "all dead-lettered");
        await using var deadLetters = _client.CreateReceiver(queue, new LoireReceiverOptions { SubQueue = SubQueue.DeadLetter });
        var dead = await ReceiveAtLeastAsync(deadLetters, 12);
        Assert.Equal(12, dead.Count);
        Assert.Equal(Partitions, dead.Select(m => EntityPartitions.PartitionOfSequenceNumber(m.SequenceNumber)).Distinct().Count());
        foreach (var message in dead)
        {
            await deadLetters.AbandonMessageAsync(message);
        }

        Assert.Equal(12, await _admin.ResubmitDeadLetterMessagesAsync(queue));
        await _admin.RuntimePropertiesWhenAsync(queue, p => p.ActiveMessageCount == 12 && p.DeadLetterMessageCount == 0, "all resubmitted");
        Assert.Equal(12, await _admin.PurgeMessagesAsync(queue));
        await _admin.RuntimePropertiesWhenAsync(queue, p => p.TotalMessageCount == 0, "all purged");
    }

    [Fact]
    public async Task SessionsOnAPartitionedQueueKeepTheirOrder()
    {
        var queue = await _admin.CreateTestQueueAsync(o =>
        {
            o.PartitionCount = Partitions;
            o.RequiresSession = true;
        });
        var sessions = Enumerable.Range(0, 6).Select(s => $"s{s}").ToArray();
        await using var sender = _client.CreateSender(queue);
        for (var i = 0; i < 5; i++)
        {
            foreach (var session in sessions)
            {
                await sender.SendMessageAsync(new LoireMessage($"{session}/{i}") { SessionId = session });
            }
        }

        var expectedOrder = Enumerable.Range(0, 5).ToArray();
        await using (var named = await _client.AcceptSessionAsync(queue, "s3"))
        {
            var messages = await ReceiveAtLeastAsync(named, 5);
            Assert.Equal(expectedOrder.Select(i => $"s3/{i}"), messages.Select(m => m.Body.ToString()));
            await named.CompleteMessagesAsync(messages);
        }

        var seen = new HashSet<string> { "s3" };
        while (seen.Count < sessions.Length)
        {
            await using var next = await _client.AcceptNextSessionAsync(queue, new LoireSessionReceiverOptions { MaxWaitTime = Patience });
            Assert.True(seen.Add(next.SessionId), $"session {next.SessionId} accepted twice");
            var messages = await ReceiveAtLeastAsync(next, 5);
            Assert.Equal(expectedOrder.Select(i => $"{next.SessionId}/{i}"), messages.Select(m => m.Body.ToString()));
            await next.CompleteMessagesAsync(messages);
        }

        await _admin.RuntimePropertiesWhenAsync(queue, p => p.TotalMessageCount == 0, "every session drained");
    }

    [Fact]
    public async Task ARetriedMessageIdIsStoredOnceWithDuplicateDetection()
    {
        var queue = await _admin.CreateTestQueueAsync(o =>
        {
            o.PartitionCount = Partitions;
            o.RequiresDuplicateDetection = true;
        });
        await using var sender = _client.CreateSender(queue);
        for (var i = 0; i < 3; i++)
        {
            await sender.SendMessageAsync(Message("same-id"));
            await using var other = _client.CreateSender(queue);
            await other.SendMessageAsync(Message("same-id"));
        }

        await sender.SendMessageAsync(Message("other-id"));
        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.Equal(2, properties.ActiveMessageCount);
    }

    [Fact]
    public async Task DeletingAPartitionedQueueDeletesEveryPartitionsMessages()
    {
        var queue = await _admin.CreateTestQueueAsync(o => o.PartitionCount = Partitions);
        await using (var sender = _client.CreateSender(queue))
        {
            await sender.SendMessagesAsync(Enumerable.Range(0, 8).Select(i => Message($"m{i}")));
            for (var i = 0; i < 8; i++)
            {
                await sender.SendMessageAsync(Message($"n{i}"));
            }
        }

        await _admin.DeleteQueueAsync(queue);
        await _admin.CreateQueueAsync(new CreateQueueOptions(queue) { PartitionCount = Partitions });

        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.Equal(0, properties.TotalMessageCount);
        await using var receiver = _client.CreateReceiver(queue);
        Assert.Empty(await receiver.PeekMessagesAsync(10));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(33)]
    public async Task APartitionCountOutOfRangeIsRefusedAndNothingIsCreated(int partitionCount)
    {
        var queue = NewQueueName();
        var exception = await ThrowsLoireAsync(LoireErrorReason.InvalidArgument,
            () => _admin.CreateQueueAsync(new CreateQueueOptions(queue) { PartitionCount = partitionCount }));
        Assert.Contains("PartitionCount", exception.Message);
        Assert.False(await _admin.QueueExistsAsync(queue));
    }

    [Fact]
    public async Task ConflictingKeysAndBatchesSpanningPartitionsAreRefusedAndNothingIsStored()
    {
        var queue = await _admin.CreateTestQueueAsync(o => o.PartitionCount = Partitions);
        await using var sender = _client.CreateSender(queue);

        var conflict = await ThrowsLoireAsync(LoireErrorReason.InvalidArgument,
            () => sender.SendMessageAsync(new LoireMessage("x") { SessionId = "a", PartitionKey = "b" }));
        Assert.Contains("PartitionKey", conflict.Message);

        var (first, second) = TwoKeysInDifferentPartitions();
        var spanning = await ThrowsLoireAsync(LoireErrorReason.InvalidArgument, () => sender.SendMessagesAsync(
        [
            new LoireMessage("1") { PartitionKey = first },
            new LoireMessage("2"),
            new LoireMessage("3") { PartitionKey = second },
        ]));
        Assert.Contains("one partition", spanning.Message);

        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.Equal(0, properties.TotalMessageCount);

        // A batch whose keyed messages agree goes whole to their partition, unkeyed ones included.
        var sequenceNumbers = await sender.ScheduleMessagesAsync(
            [new LoireMessage("1") { PartitionKey = first }, new LoireMessage("2"), new LoireMessage("3") { PartitionKey = first }],
            DateTimeOffset.UtcNow.AddMinutes(5));
        Assert.All(sequenceNumbers, n => Assert.Equal(MessagePartitioner.PartitionOf(first, Partitions), EntityPartitions.PartitionOfSequenceNumber(n)));
    }

    [Fact]
    public async Task ForwardingIntoAPartitionedQueueSendsEveryKeyToItsPartitionInOrder()
    {
        var target = await _admin.CreateTestQueueAsync(o => o.PartitionCount = Partitions);
        var source = await _admin.CreateTestQueueAsync(o => o.ForwardTo = target);
        var keys = Enumerable.Range(0, 8).Select(k => $"key-{k}").ToArray();
        await using var sender = _client.CreateSender(source);

        // One batch mixing every key: the source accepts it whole and splits it by partition when forwarding.
        await sender.SendMessagesAsync(Enumerable.Range(0, 5).SelectMany(i => keys.Select(key => new LoireMessage($"{key}/{i}") { PartitionKey = key }))
            .Append(new LoireMessage("unkeyed")));
        var scheduled = await sender.ScheduleMessagesAsync(keys.Select(key => new LoireMessage("later") { PartitionKey = key }), DateTimeOffset.UtcNow.AddMinutes(5));
        await _admin.RuntimePropertiesWhenAsync(target, p => p.ScheduledMessageCount == keys.Length, "scheduled at the target");
        await sender.CancelScheduledMessagesAsync(scheduled);

        await using var receiver = _client.CreateReceiver(target);
        var received = await ReceiveAtLeastAsync(receiver, keys.Length * 5 + 1);
        await receiver.CompleteMessagesAsync(received);
        Assert.Equal(keys.Length * 5 + 1, received.Count);
        foreach (var group in received.Where(m => m.PartitionKey is not null).GroupBy(m => m.PartitionKey!))
        {
            Assert.Equal(Enumerable.Range(0, 5).Select(i => $"{group.Key}/{i}"), group.Select(m => m.Body.ToString()));
            Assert.All(group, m => Assert.Equal(MessagePartitioner.PartitionOf(group.Key, Partitions), EntityPartitions.PartitionOfSequenceNumber(m.SequenceNumber)));
        }

        await _admin.RuntimePropertiesWhenAsync(target, p => p.TotalMessageCount == 0, "all received, scheduled ones cancelled");
    }

    /// <summary>Two keys that map to different partitions of a <see cref="Partitions"/>-partition entity.</summary>
    internal static (string First, string Second) TwoKeysInDifferentPartitions()
    {
        var first = "key-0";
        var second = Enumerable.Range(1, 100).Select(i => $"key-{i}")
            .First(k => MessagePartitioner.PartitionOf(k, Partitions) != MessagePartitioner.PartitionOf(first, Partitions));
        return (first, second);
    }
}
