using System.Collections.Concurrent;
using System.Diagnostics;
using Loire.Client;
using Loire.Client.Administration;
using Loire.Tests.Infrastructure;
using static Loire.Tests.Queues.QueueTestKit;

namespace Loire.Tests.Queues;

[Collection(ClusterCollection.Name)]
public sealed class QueueSendReceiveTests(ClusterFixture fixture)
{
    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    [Fact]
    public async Task SentMessageArrivesWithItsPropertiesAndBrokerFields()
    {
        var queue = await _admin.CreateTestQueueAsync(o => o.LockDuration = TimeSpan.FromSeconds(30));
        await using var sender = fixture.Client.CreateSender(queue);
        var enqueuedAfter = DateTimeOffset.UtcNow;
        await sender.SendMessageAsync(new LoireMessage("hello"u8.ToArray())
        {
            MessageId = "m-1",
            Subject = "order.created",
            ContentType = "application/json",
            CorrelationId = "c-1",
            ReplyTo = "replies",
            To = "someone",
            ApplicationProperties = { ["priority"] = "high", ["amount"] = 42, ["urgent"] = true, ["ratio"] = 0.5 },
        });

        await using var receiver = fixture.Client.CreateReceiver(queue);
        var message = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));

        Assert.NotNull(message);
        Assert.Equal("hello", message.Body.ToString());
        Assert.Equal("m-1", message.MessageId);
        Assert.Equal("order.created", message.Subject);
        Assert.Equal("application/json", message.ContentType);
        Assert.Equal("c-1", message.CorrelationId);
        Assert.Equal("replies", message.ReplyTo);
        Assert.Equal("someone", message.To);
        Assert.Equal("high", message.ApplicationProperties["priority"]);
        Assert.Equal(42, message.ApplicationProperties["amount"]);
        Assert.Equal(true, message.ApplicationProperties["urgent"]);
        Assert.Equal(0.5, message.ApplicationProperties["ratio"]);
        Assert.Equal(1, message.DeliveryCount);
        Assert.True(message.SequenceNumber > 0);
        Assert.NotEqual(Guid.Empty.ToString("D"), message.LockToken);
        Assert.InRange(message.EnqueuedTime, enqueuedAfter.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.InRange(message.LockedUntil, DateTimeOffset.UtcNow.AddSeconds(20), DateTimeOffset.UtcNow.AddSeconds(31));
        Assert.Equal(DateTimeOffset.MaxValue, message.ExpiresAt);
        Assert.Null(message.DeadLetterReason);
        await receiver.CompleteMessageAsync(message);
    }

    [Fact]
    public async Task BatchOfHundredArrivesCompleteAndInOrder()
    {
        var queue = await _admin.CreateTestQueueAsync();
        await using var sender = fixture.Client.CreateSender(queue);
        await sender.SendMessagesAsync(Enumerable.Range(0, 100).Select(i => Message($"m{i:D3}")));

        Assert.Equal(100, (await _admin.GetQueueRuntimePropertiesAsync(queue)).ActiveMessageCount);
        await using var receiver = fixture.Client.CreateReceiver(queue);
        var received = await ReceiveAtLeastAsync(receiver, 100, batchSize: 30);

        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"m{i:D3}"), received.Select(m => m.MessageId));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"m{i:D3}"), received.Select(m => m.Body.ToString()));
        AssertStrictlyIncreasing(received.Select(m => m.SequenceNumber));
        await receiver.CompleteMessagesAsync(received);
        Assert.Equal(0, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }

    [Fact]
    public async Task BatchReceiveReturnsAvailableMessagesUpToTheMaximum()
    {
        var queue = await _admin.CreateTestQueueAsync();
        await using var sender = fixture.Client.CreateSender(queue);
        await sender.SendMessagesAsync(Enumerable.Range(0, 10).Select(i => Message($"m{i}")));
        await using var receiver = fixture.Client.CreateReceiver(queue);

        var first = await receiver.ReceiveMessagesAsync(maxMessages: 4, maxWaitTime: TimeSpan.FromSeconds(5));
        var rest = await receiver.ReceiveMessagesAsync(maxMessages: 100, maxWaitTime: TimeSpan.FromSeconds(5));
        var none = await receiver.ReceiveMessagesAsync(maxMessages: 100, maxWaitTime: TimeSpan.Zero);

        Assert.Equal(["m0", "m1", "m2", "m3"], first.Select(m => m.MessageId));
        Assert.Equal(["m4", "m5", "m6", "m7", "m8", "m9"], rest.Select(m => m.MessageId));
        Assert.Empty(none);
    }

    [Fact]
    public async Task WaitingReceiveGetsAMessageSentAfterItStarted()
    {
        var queue = await _admin.CreateTestQueueAsync();
        await using var receiver = fixture.Client.CreateReceiver(queue);
        await using var sender = fixture.Client.CreateSender(queue);
        var maxWait = TimeSpan.FromSeconds(15);

        var receiving = receiver.ReceiveMessageAsync(maxWait);
        // A round trip to the same grain, so the receive has (very likely) reached the broker and is parked.
        await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.False(receiving.IsCompleted, "The receive returned before anything was sent.");
        var sent = Stopwatch.StartNew();
        await sender.SendMessageAsync(Message("late"));
        var message = await receiving.WaitAsync(maxWait + TimeSpan.FromSeconds(5));
        var latency = sent.Elapsed;

        Assert.NotNull(message);
        Assert.Equal("late", message.MessageId);
        Assert.True(latency < TimeSpan.FromSeconds(3), $"The waiting receive took {latency} after the send to return.");
    }

    [Fact]
    public async Task WaitingReceiveAndDeleteReceiveGetsALateMessageAndRemovesIt()
    {
        var queue = await _admin.CreateTestQueueAsync();
        await using var receiver = fixture.Client.CreateReceiver(queue, new LoireReceiverOptions { ReceiveMode = LoireReceiveMode.ReceiveAndDelete });
        await using var sender = fixture.Client.CreateSender(queue);

        var receiving = receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(15));
        await _admin.GetQueueRuntimePropertiesAsync(queue);
        var sent = Stopwatch.StartNew();
        await sender.SendMessageAsync(Message("late"));
        var message = await receiving.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal("late", message?.MessageId);
        Assert.True(sent.Elapsed < TimeSpan.FromSeconds(3), $"The waiting receive took {sent.Elapsed} after the send to return.");
        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.TotalMessageCount == 0, Describe(properties));
    }

    [Fact]
    public async Task WaitingReceiveGetsAnAbandonedMessageAtOnce()
    {
        var queue = await _admin.CreateTestQueueAsync();
        await using var sender = fixture.Client.CreateSender(queue);
        await sender.SendMessageAsync(Message("a"));
        await using var first = fixture.Client.CreateReceiver(queue);
        await using var second = fixture.Client.CreateReceiver(queue);
        var message = await first.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(message);

        var receiving = second.ReceiveMessageAsync(TimeSpan.FromSeconds(15));
        await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.False(receiving.IsCompleted, "The second receiver got a locked message.");
        var abandoned = Stopwatch.StartNew();
        await first.AbandonMessageAsync(message);
        var again = await receiving.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal("a", again?.MessageId);
        Assert.Equal(2, again?.DeliveryCount);
        Assert.True(abandoned.Elapsed < TimeSpan.FromSeconds(3), $"The waiting receive took {abandoned.Elapsed} after the abandon to return.");
    }

    [Fact]
    public async Task CancelledWaitingReceiveDoesNotTakeALaterMessage()
    {
        var queue = await _admin.CreateTestQueueAsync();
        await using var cancelledReceiver = fixture.Client.CreateReceiver(queue);
        using var cancellation = new CancellationTokenSource();
        var receiving = cancelledReceiver.ReceiveMessageAsync(TimeSpan.FromSeconds(15), cancellation.Token);
        await _admin.GetQueueRuntimePropertiesAsync(queue);

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => receiving.WaitAsync(TimeSpan.FromSeconds(20)));
        await using var sender = fixture.Client.CreateSender(queue);
        await sender.SendMessageAsync(Message("after"));
        await using var receiver = fixture.Client.CreateReceiver(queue);
        var message = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(3));
        Assert.Equal("after", message?.MessageId);
        Assert.Equal(1, message?.DeliveryCount);
    }

    [Fact]
    public async Task ReceiveOnAnEmptyQueueReturnsNullAfterTheWaitTime()
    {
        var queue = await _admin.CreateTestQueueAsync();
        await using var receiver = fixture.Client.CreateReceiver(queue);

        var stopwatch = Stopwatch.StartNew();
        var message = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(1));
        var elapsed = stopwatch.Elapsed;

        Assert.Null(message);
        Assert.True(elapsed >= TimeSpan.FromSeconds(0.9), $"Returned after {elapsed}, before the wait time.");
        Assert.True(elapsed < TimeSpan.FromSeconds(5), $"Returned after {elapsed}, long after the wait time.");
    }

    [Fact]
    public async Task ReceiveAndDeleteRemovesTheMessageOnReceive()
    {
        var queue = await _admin.CreateTestQueueAsync();
        await using var sender = fixture.Client.CreateSender(queue);
        await sender.SendMessagesAsync([Message("a"), Message("b")]);
        await using var receiver = fixture.Client.CreateReceiver(queue, new LoireReceiverOptions { ReceiveMode = LoireReceiveMode.ReceiveAndDelete });

        var message = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));

        Assert.NotNull(message);
        Assert.Equal("a", message.MessageId);
        Assert.Equal(Guid.Empty.ToString("D"), message.LockToken);
        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.TotalMessageCount == 1 && properties.LockedMessageCount == 0, Describe(properties));

        await using var peekLock = fixture.Client.CreateReceiver(queue);
        var remaining = await peekLock.ReceiveMessagesAsync(10, TimeSpan.FromSeconds(5));
        Assert.Equal(["b"], remaining.Select(m => m.MessageId));
        Assert.Equal(1, remaining[0].DeliveryCount);
    }

    [Fact]
    public async Task SettlingInReceiveAndDeleteModeThrowsInvalidOperation()
    {
        var queue = await _admin.CreateTestQueueAsync();
        await using var sender = fixture.Client.CreateSender(queue);
        await sender.SendMessageAsync(Message("a"));
        await using var receiver = fixture.Client.CreateReceiver(queue, new LoireReceiverOptions { ReceiveMode = LoireReceiveMode.ReceiveAndDelete });
        var message = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(message);

        await Assert.ThrowsAsync<InvalidOperationException>(() => receiver.CompleteMessageAsync(message));
        await Assert.ThrowsAsync<InvalidOperationException>(() => receiver.AbandonMessageAsync(message));
        await Assert.ThrowsAsync<InvalidOperationException>(() => receiver.DeadLetterMessageAsync(message, "r", "d"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => receiver.DeferMessageAsync(message));
        await Assert.ThrowsAsync<InvalidOperationException>(() => receiver.RenewMessageLockAsync(message));
        Assert.Equal(0, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }

    [Fact]
    public async Task FiveHundredSequentialSendsAreReceivedInSendOrder()
    {
        var queue = await _admin.CreateTestQueueAsync();
        await using var sender = fixture.Client.CreateSender(queue);
        for (var i = 0; i < 500; i++)
        {
            await sender.SendMessageAsync(Message($"m{i:D3}"));
        }

        await AssertReceivedInOrderAsync(queue, 500);
    }

    [Fact]
    public async Task FiveHundredMessagesSentInBatchesAreReceivedInSendOrder()
    {
        var queue = await _admin.CreateTestQueueAsync();
        await using var sender = fixture.Client.CreateSender(queue);
        foreach (var chunk in Enumerable.Range(0, 500).Chunk(37))
        {
            await sender.SendMessagesAsync(chunk.Select(i => Message($"m{i:D3}")));
        }

        await AssertReceivedInOrderAsync(queue, 500);
    }

    [Fact]
    public async Task CompetingConsumersReceiveEveryMessageExactlyOnce()
    {
        var queue = await _admin.CreateTestQueueAsync();
        await using var sender = fixture.Client.CreateSender(queue);
        var ids = Enumerable.Range(0, 200).Select(i => $"m{i:D3}").ToArray();
        foreach (var chunk in ids.Chunk(50))
        {
            await sender.SendMessagesAsync(chunk.Select(Message));
        }

        var deliveries = new ConcurrentDictionary<string, int>();
        var total = 0;
        var deadline = DateTimeOffset.UtcNow + Patience;

        async Task<int> ConsumeAsync()
        {
            await using var receiver = fixture.Client.CreateReceiver(queue);
            var mine = 0;
            while (Volatile.Read(ref total) < ids.Length && DateTimeOffset.UtcNow < deadline)
            {
                var batch = await receiver.ReceiveMessagesAsync(maxMessages: 7, maxWaitTime: TimeSpan.FromMilliseconds(500));
                foreach (var message in batch)
                {
                    deliveries.AddOrUpdate(message.MessageId!, 1, (_, n) => n + 1);
                }

                mine += batch.Count;
                Interlocked.Add(ref total, batch.Count);
                if (batch.Count > 0)
                {
                    await receiver.CompleteMessagesAsync(batch);
                }
            }

            return mine;
        }

        var counts = await Task.WhenAll(Task.Run(ConsumeAsync), Task.Run(ConsumeAsync));

        Assert.All(deliveries, d => Assert.True(d.Value == 1, $"{d.Key} was received {d.Value} times."));
        Assert.Equal(ids, deliveries.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(ids.Length, counts.Sum());
        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.TotalMessageCount == 0, Describe(properties));
    }

    [Fact]
    public async Task PeekReturnsMessagesWithoutLockingThemAndContinuesAfterTheLastPeek()
    {
        var queue = await _admin.CreateTestQueueAsync();
        await using var sender = fixture.Client.CreateSender(queue);
        await sender.SendMessagesAsync(Enumerable.Range(0, 5).Select(i => Message($"m{i}")));
        await using var peeker = fixture.Client.CreateReceiver(queue);

        var first = await peeker.PeekMessagesAsync(2);
        var second = await peeker.PeekMessagesAsync(2);
        var third = await peeker.PeekMessagesAsync(2);
        var end = await peeker.PeekMessagesAsync(2);

        Assert.Equal(["m0", "m1"], first.Select(m => m.MessageId));
        Assert.Equal(["m2", "m3"], second.Select(m => m.MessageId));
        Assert.Equal(["m4"], third.Select(m => m.MessageId));
        Assert.Empty(end);
        var peeked = first.Concat(second).Concat(third).ToList();
        AssertStrictlyIncreasing(peeked.Select(m => m.SequenceNumber));
        Assert.All(peeked, m =>
        {
            Assert.Equal(0, m.DeliveryCount);
            Assert.Equal(Guid.Empty.ToString("D"), m.LockToken);
            Assert.Equal(LoireMessageState.Active, m.State);
        });
        await Assert.ThrowsAsync<InvalidOperationException>(() => peeker.CompleteMessageAsync(peeked[0]));
        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.LockedMessageCount == 0 && properties.ActiveMessageCount == 5, Describe(properties));

        // Peeking from an explicit sequence number starts there.
        var fromThird = await peeker.PeekMessageAsync(fromSequenceNumber: peeked[2].SequenceNumber);
        Assert.Equal("m2", fromThird?.MessageId);

        // Nothing was locked or counted as a delivery: a receiver gets them all, first time.
        await using var receiver = fixture.Client.CreateReceiver(queue);
        var received = await ReceiveAtLeastAsync(receiver, 5);
        Assert.Equal(["m0", "m1", "m2", "m3", "m4"], received.Select(m => m.MessageId));
        Assert.All(received, m => Assert.Equal(1, m.DeliveryCount));
    }

    private async Task AssertReceivedInOrderAsync(string queue, int count)
    {
        await using var receiver = fixture.Client.CreateReceiver(queue);
        var received = new List<LoireReceivedMessage>();
        var deadline = DateTimeOffset.UtcNow + Patience;
        while (received.Count < count && DateTimeOffset.UtcNow < deadline)
        {
            var batch = await receiver.ReceiveMessagesAsync(100, TimeSpan.FromSeconds(2));
            received.AddRange(batch);
            if (batch.Count > 0)
            {
                await receiver.CompleteMessagesAsync(batch);
            }
        }

        Assert.Equal(Enumerable.Range(0, count).Select(i => $"m{i:D3}"), received.Select(m => m.MessageId));
        AssertStrictlyIncreasing(received.Select(m => m.SequenceNumber));
        Assert.Empty(await receiver.ReceiveMessagesAsync(10, TimeSpan.Zero));
    }

    private static void AssertStrictlyIncreasing(IEnumerable<long> values)
    {
        var list = values.ToList();
        for (var i = 1; i < list.Count; i++)
        {
            Assert.True(list[i] > list[i - 1], $"Sequence number {list[i]} at position {i} does not follow {list[i - 1]}.");
        }
    }
}
