using Loire.Client;
using Loire.Client.Administration;
using Loire.Tests.Infrastructure;
using static Loire.Tests.Queues.QueueTestKit;

namespace Loire.Tests.Queues;

[Collection(ClusterCollection.Name)]
public sealed class QueueSettlementTests(ClusterFixture fixture)
{
    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    [Fact]
    public async Task CompletedMessageIsGone()
    {
        var (queue, receiver, message) = await ReceiveOneAsync();
        await using var _ = receiver;

        await receiver.CompleteMessageAsync(message);

        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.TotalMessageCount == 0 && properties.ActiveMessageCount == 0 && properties.DeadLetterMessageCount == 0, Describe(properties));
        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.Zero));
        Assert.Empty(await receiver.PeekMessagesAsync(10, fromSequenceNumber: 0));
    }

    [Fact]
    public async Task AbandonedMessageIsRedeliveredWithDeliveryCountTwo()
    {
        var (queue, receiver, message) = await ReceiveOneAsync();
        await using var _ = receiver;

        await receiver.AbandonMessageAsync(message);
        var again = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));

        Assert.NotNull(again);
        Assert.Equal(message.MessageId, again.MessageId);
        Assert.Equal(message.SequenceNumber, again.SequenceNumber);
        Assert.Equal(2, again.DeliveryCount);
        Assert.NotEqual(message.LockToken, again.LockToken);
        await receiver.CompleteMessageAsync(again);
        Assert.Equal(0, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }

    [Fact]
    public async Task DeadLetteredMessageAppearsInTheDeadLetterQueueWithReasonAndDescription()
    {
        var (queue, receiver, message) = await ReceiveOneAsync();
        await using var _ = receiver;

        await receiver.DeadLetterMessageAsync(message, "bad-order", "The order total is negative.");

        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.Zero));
        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.ActiveMessageCount == 0 && properties.DeadLetterMessageCount == 1 && properties.TotalMessageCount == 1, Describe(properties));

        await using var deadLetters = fixture.Client.CreateReceiver(queue, new LoireReceiverOptions { SubQueue = SubQueue.DeadLetter });
        Assert.EndsWith("/$deadletterqueue", deadLetters.EntityPath);
        var peeked = await deadLetters.PeekMessageAsync();
        Assert.Equal(message.MessageId, peeked?.MessageId);
        var dead = await deadLetters.ReceiveMessageAsync(TimeSpan.FromSeconds(5));

        Assert.NotNull(dead);
        Assert.Equal(message.MessageId, dead.MessageId);
        Assert.Equal(message.SequenceNumber, dead.SequenceNumber);
        Assert.Equal("payload", dead.Body.ToString());
        Assert.Equal("bad-order", dead.DeadLetterReason);
        Assert.Equal("The order total is negative.", dead.DeadLetterErrorDescription);
        await deadLetters.CompleteMessageAsync(dead);
        Assert.Equal(0, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }

    [Fact]
    public async Task DeferredMessageIsOnlyReceivableBySequenceNumberAndCanThenBeCompleted()
    {
        var (queue, receiver, message) = await ReceiveOneAsync();
        await using var _ = receiver;

        await receiver.DeferMessageAsync(message);

        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.Zero));
        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.DeferredMessageCount == 1 && properties.ActiveMessageCount == 0 && properties.TotalMessageCount == 1, Describe(properties));
        var peeked = await receiver.PeekMessageAsync();
        Assert.Equal(LoireMessageState.Deferred, peeked?.State);

        var deferred = await receiver.ReceiveDeferredMessageAsync(message.SequenceNumber);

        Assert.Equal(message.MessageId, deferred.MessageId);
        Assert.Equal(message.SequenceNumber, deferred.SequenceNumber);
        Assert.Equal(LoireMessageState.Deferred, deferred.State);
        Assert.Equal(2, deferred.DeliveryCount);
        Assert.NotEqual(Guid.Empty.ToString("D"), deferred.LockToken);
        // While locked it cannot be received by sequence number a second time.
        await ThrowsLoireAsync(LoireErrorReason.MessageNotFound, () => receiver.ReceiveDeferredMessageAsync(message.SequenceNumber));
        await receiver.CompleteMessageAsync(deferred);
        Assert.Equal(0, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }

    [Fact]
    public async Task DeferredMessageWhoseLockRunsOutStaysDeferred()
    {
        var (queue, receiver, message) = await ReceiveOneAsync(TimeSpan.FromSeconds(1));
        await using var _ = receiver;
        await receiver.DeferMessageAsync(message);
        var deferred = await receiver.ReceiveDeferredMessageAsync(message.SequenceNumber);

        // The lock runs out; the message goes back to being deferred, not active.
        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(2)));
        Assert.True(DateTimeOffset.UtcNow > deferred.LockedUntil, "The test did not wait past the lock.");
        var again = await Eventually.ValueAsync(
            async () =>
            {
                try
                {
                    return await receiver.ReceiveDeferredMessageAsync(message.SequenceNumber);
                }
                catch (LoireException e) when (e.Reason == LoireErrorReason.MessageNotFound)
                {
                    return null;
                }
            },
            m => m is not null,
            "the deferred message to be receivable by sequence number again");

        Assert.Equal(message.MessageId, again!.MessageId);
        Assert.Equal(3, again.DeliveryCount);
        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.DeferredMessageCount == 1 && properties.ActiveMessageCount == 0, Describe(properties));
        await receiver.CompleteMessageAsync(again);
    }

    [Fact]
    public async Task ReceivingANonDeferredSequenceNumberFailsWithMessageNotFound()
    {
        var (queue, receiver, message) = await ReceiveOneAsync();
        await using var _ = receiver;
        await receiver.AbandonMessageAsync(message);

        await ThrowsLoireAsync(LoireErrorReason.MessageNotFound, () => receiver.ReceiveDeferredMessageAsync(message.SequenceNumber));
        await ThrowsLoireAsync(LoireErrorReason.MessageNotFound, () => receiver.ReceiveDeferredMessageAsync(987_654_321));

        // Nothing changed: the active message is still there, with its delivery count untouched by the failed calls.
        var again = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(message.MessageId, again?.MessageId);
        Assert.Equal(2, again?.DeliveryCount);
        Assert.Equal(1, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }

    [Fact]
    public async Task RenewingTheLockExtendsLockedUntilAndKeepsTheMessageLocked()
    {
        var (queue, receiver, message) = await ReceiveOneAsync(TimeSpan.FromSeconds(3));
        await using var _ = receiver;
        await using var other = fixture.Client.CreateReceiver(queue);
        var originalLockedUntil = message.LockedUntil;

        // Let part of the lock pass (the message stays locked meanwhile), then renew.
        Assert.Null(await other.ReceiveMessageAsync(TimeSpan.FromSeconds(1.5)));
        await receiver.RenewMessageLockAsync(message);

        Assert.True(message.LockedUntil > originalLockedUntil + TimeSpan.FromSeconds(1),
            $"Renewal moved LockedUntil from {originalLockedUntil:O} only to {message.LockedUntil:O}.");
        // Past the original expiry but before the renewed one, nobody else gets the message...
        Assert.Null(await other.ReceiveMessageAsync(TimeSpan.FromSeconds(2)));
        Assert.True(DateTimeOffset.UtcNow > originalLockedUntil, "The test did not wait past the original lock.");
        // ...and the lock is still ours.
        await receiver.CompleteMessageAsync(message);
        Assert.Equal(0, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }

    [Fact]
    public async Task SettlingWithAnAlreadyUsedLockTokenFailsWithMessageLockLost()
    {
        var (queue, receiver, message) = await ReceiveOneAsync();
        await using var _ = receiver;
        await receiver.CompleteMessageAsync(message);

        await ThrowsLoireAsync(LoireErrorReason.MessageLockLost, () => receiver.CompleteMessageAsync(message));
        await ThrowsLoireAsync(LoireErrorReason.MessageLockLost, () => receiver.AbandonMessageAsync(message));
        await ThrowsLoireAsync(LoireErrorReason.MessageLockLost, () => receiver.DeadLetterMessageAsync(message, "r", "d"));
        await ThrowsLoireAsync(LoireErrorReason.MessageLockLost, () => receiver.DeferMessageAsync(message));
        await ThrowsLoireAsync(LoireErrorReason.MessageLockLost, () => receiver.RenewMessageLockAsync(message));
        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.TotalMessageCount == 0 && properties.DeadLetterMessageCount == 0, Describe(properties));
    }

    [Fact]
    public async Task SettlingWithAStaleLockTokenFailsWithMessageLockLostAndLeavesTheNewLockAlone()
    {
        var (queue, receiver, message) = await ReceiveOneAsync();
        await using var _ = receiver;
        await receiver.AbandonMessageAsync(message);
        var redelivered = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(redelivered);

        // The first delivery's token is unknown to the broker now.
        await ThrowsLoireAsync(LoireErrorReason.MessageLockLost, () => receiver.CompleteMessageAsync(message));
        await ThrowsLoireAsync(LoireErrorReason.MessageLockLost, () => receiver.DeadLetterMessageAsync(message, "r", "d"));
        await ThrowsLoireAsync(LoireErrorReason.MessageLockLost, () => receiver.RenewMessageLockAsync(message));

        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.LockedMessageCount == 1 && properties.DeadLetterMessageCount == 0, Describe(properties));
        await receiver.CompleteMessageAsync(redelivered);
        Assert.Equal(0, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }

    [Fact]
    public async Task LockExpiryRedeliversWithIncrementedDeliveryCount()
    {
        var (queue, receiver, message) = await ReceiveOneAsync(TimeSpan.FromSeconds(1));
        await using var _ = receiver;
        await using var other = fixture.Client.CreateReceiver(queue);

        var again = await other.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        var redeliveredAt = DateTimeOffset.UtcNow;

        Assert.NotNull(again);
        Assert.Equal(message.MessageId, again.MessageId);
        Assert.Equal(message.SequenceNumber, again.SequenceNumber);
        Assert.Equal(2, again.DeliveryCount);
        Assert.NotEqual(message.LockToken, again.LockToken);
        Assert.True(redeliveredAt >= message.LockedUntil - TimeSpan.FromMilliseconds(50),
            $"Redelivered at {redeliveredAt:O}, before the first lock ran out at {message.LockedUntil:O}.");
        await ThrowsLoireAsync(LoireErrorReason.MessageLockLost, () => receiver.CompleteMessageAsync(message));
        await other.CompleteMessageAsync(again);
        Assert.Equal(0, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }

    [Fact]
    public async Task SettlingAfterTheLockRanOutFailsWithMessageLockLostEvenBeforeRedelivery()
    {
        var (queue, receiver, message) = await ReceiveOneAsync(TimeSpan.FromSeconds(1));
        await using var _ = receiver;

        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(DateTimeOffset.UtcNow > message.LockedUntil), Patience));
        await ThrowsLoireAsync(LoireErrorReason.MessageLockLost, () => receiver.RenewMessageLockAsync(message));
        await ThrowsLoireAsync(LoireErrorReason.MessageLockLost, () => receiver.CompleteMessageAsync(message));

        var again = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(message.MessageId, again?.MessageId);
        Assert.Equal(2, again?.DeliveryCount);
        Assert.Equal(1, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }

    [Fact]
    public async Task AbandoningUpToMaxDeliveryCountMovesTheMessageToTheDeadLetterQueue()
    {
        var queue = await _admin.CreateTestQueueAsync(o => o.MaxDeliveryCount = 2);
        await using var sender = fixture.Client.CreateSender(queue);
        await sender.SendMessageAsync(Message("poison"));
        await using var receiver = fixture.Client.CreateReceiver(queue);

        var first = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, first?.DeliveryCount);
        await receiver.AbandonMessageAsync(first!);
        var second = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(2, second?.DeliveryCount);
        await receiver.AbandonMessageAsync(second!);

        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.Zero));
        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.ActiveMessageCount == 0 && properties.DeadLetterMessageCount == 1, Describe(properties));
        await AssertDeadLetteredForDeliveryCountAsync(queue, "poison");
    }

    [Fact]
    public async Task LockExpiriesUpToMaxDeliveryCountMoveTheMessageToTheDeadLetterQueue()
    {
        var queue = await _admin.CreateTestQueueAsync(o =>
        {
            o.MaxDeliveryCount = 2;
            o.LockDuration = TimeSpan.FromSeconds(1);
        });
        await using var sender = fixture.Client.CreateSender(queue);
        await sender.SendMessageAsync(Message("poison"));
        await using var receiver = fixture.Client.CreateReceiver(queue);

        var first = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, first?.DeliveryCount);
        var second = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("poison", second?.MessageId);
        Assert.Equal(2, second?.DeliveryCount);

        // The second lock runs out too: the message goes to the dead-letter queue, not back to the queue.
        await AssertDeadLetteredForDeliveryCountAsync(queue, "poison");
        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.Zero));
        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.ActiveMessageCount == 0 && properties.TotalMessageCount == 0, Describe(properties));
    }

    [Fact]
    public async Task BatchCompletionSettlesEveryMessageAndReportsLostLocks()
    {
        var queue = await _admin.CreateTestQueueAsync();
        await using var sender = fixture.Client.CreateSender(queue);
        await sender.SendMessagesAsync(Enumerable.Range(0, 5).Select(i => Message($"m{i}")));
        await using var receiver = fixture.Client.CreateReceiver(queue);
        var received = await ReceiveAtLeastAsync(receiver, 5);
        Assert.Equal(5, received.Count);
        await receiver.CompleteMessageAsync(received[0]);

        // One of the five was already completed: the other four are completed, and the lost one is reported.
        await ThrowsLoireAsync(LoireErrorReason.MessageLockLost, () => receiver.CompleteMessagesAsync(received));

        Assert.Equal(0, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }

    private async Task AssertDeadLetteredForDeliveryCountAsync(string queue, string messageId)
    {
        await using var deadLetters = fixture.Client.CreateReceiver(queue, new LoireReceiverOptions { SubQueue = SubQueue.DeadLetter });
        var dead = await deadLetters.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(dead);
        Assert.Equal(messageId, dead.MessageId);
        Assert.Equal("MaxDeliveryCountExceeded", dead.DeadLetterReason);
        Assert.False(string.IsNullOrEmpty(dead.DeadLetterErrorDescription));
        // It was delivered twice from the queue; receiving it from the dead-letter queue may count once more.
        Assert.True(dead.DeliveryCount >= 2, $"DeliveryCount {dead.DeliveryCount}");
        await deadLetters.CompleteMessageAsync(dead);
    }

    /// <summary>Creates a queue named after the calling test, sends one message and receives it in peek-lock mode.</summary>
    private async Task<(string Queue, LoireReceiver Receiver, LoireReceivedMessage Message)> ReceiveOneAsync(
        TimeSpan? lockDuration = null,
        [System.Runtime.CompilerServices.CallerMemberName] string test = "")
    {
        var queue = await _admin.CreateTestQueueAsync(o => o.LockDuration = lockDuration ?? TimeSpan.FromSeconds(30), test);
        await using (var sender = fixture.Client.CreateSender(queue))
        {
            await sender.SendMessageAsync(new LoireMessage("payload") { MessageId = "only" });
        }

        var receiver = fixture.Client.CreateReceiver(queue);
        var message = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(message);
        Assert.Equal(1, message.DeliveryCount);
        return (queue, receiver, message);
    }
}
