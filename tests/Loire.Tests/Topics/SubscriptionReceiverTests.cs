using Loire.Client;
using Loire.Client.Administration;
using Loire.Tests.Infrastructure;
using static Loire.Tests.Topics.TopicTestKit;

namespace Loire.Tests.Topics;

/// <summary>A subscription behaves like a queue for its consumers: locks, settlement, dead-lettering, expiry.</summary>
[Collection(ClusterCollection.Name)]
public sealed class SubscriptionReceiverTests(ClusterFixture fixture)
{
    private readonly LoireClient _client = fixture.Client;
    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    [Fact]
    public async Task APeekLockedSubscriptionMessageIsHiddenWhileLockedAndGoneOnceCompleted()
    {
        var topic = await _admin.CreateFreshTopicAsync("sub-complete");
        await _admin.CreateSubscriptionAsync(topic, "s");
        await using var sender = _client.CreateSender(topic);
        await sender.SendMessageAsync(Message("m-1"));
        await using var receiver = _client.CreateReceiver(topic, "s");

        var message = await receiver.ReceiveMessageAsync(ArrivalTimeout);

        Assert.NotNull(message);
        Assert.Equal("m-1", message.MessageId);
        Assert.Equal(1, message.DeliveryCount);
        Assert.NotEqual(Guid.Empty.ToString("D"), message.LockToken);
        Assert.True(message.LockedUntil > DateTimeOffset.UtcNow);
        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.Zero));
        Assert.Equal(1, (await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "s")).LockedMessageCount);

        await receiver.CompleteMessageAsync(message);

        var properties = await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "s");
        Assert.Equal(0, properties.TotalMessageCount);
        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.Zero));
        await ThrowsLoireAsync(LoireErrorReason.MessageLockLost, () => receiver.CompleteMessageAsync(message));
    }

    [Fact]
    public async Task AnAbandonedSubscriptionMessageIsRedeliveredWithAHigherDeliveryCount()
    {
        var topic = await _admin.CreateFreshTopicAsync("sub-abandon");
        await _admin.CreateSubscriptionAsync(topic, "s");
        await using var sender = _client.CreateSender(topic);
        await sender.SendMessageAsync(Message("m-1"));
        await using var receiver = _client.CreateReceiver(topic, "s");

        var first = await receiver.ReceiveMessageAsync(ArrivalTimeout);
        Assert.NotNull(first);
        await receiver.AbandonMessageAsync(first);
        var second = await receiver.ReceiveMessageAsync(ArrivalTimeout);

        Assert.NotNull(second);
        Assert.Equal("m-1", second.MessageId);
        Assert.Equal(first.SequenceNumber, second.SequenceNumber);
        Assert.Equal(2, second.DeliveryCount);
        Assert.NotEqual(first.LockToken, second.LockToken);
        await receiver.CompleteMessageAsync(second);
    }

    [Fact]
    public async Task ADeadLetteredSubscriptionMessageIsReadableFromTheSubscriptionDeadLetterQueue()
    {
        var topic = await _admin.CreateFreshTopicAsync("sub-dead-letter");
        await _admin.CreateSubscriptionAsync(topic, "s");
        await _admin.CreateSubscriptionAsync(topic, "other");
        await using var sender = _client.CreateSender(topic);
        await sender.SendMessageAsync(Message("m-1", ("priority", "high")));
        await using var receiver = _client.CreateReceiver(topic, "s");
        var message = await receiver.ReceiveMessageAsync(ArrivalTimeout);
        Assert.NotNull(message);

        await receiver.DeadLetterMessageAsync(message, "poison", "could not parse");

        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.Zero));
        var properties = await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "s");
        Assert.Equal(0, properties.ActiveMessageCount);
        Assert.Equal(1, properties.DeadLetterMessageCount);

        await using var deadLetters = _client.CreateReceiver(topic, "s", new LoireReceiverOptions { SubQueue = SubQueue.DeadLetter });
        Assert.EndsWith("/subscriptions/s/$deadletterqueue", deadLetters.EntityPath);
        var dead = await deadLetters.ReceiveMessageAsync(ArrivalTimeout);
        Assert.NotNull(dead);
        Assert.Equal("m-1", dead.MessageId);
        Assert.Equal("poison", dead.DeadLetterReason);
        Assert.Equal("could not parse", dead.DeadLetterErrorDescription);
        Assert.Equal("high", dead.ApplicationProperties["priority"]);
        await deadLetters.CompleteMessageAsync(dead);

        Assert.Equal(0, (await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "s")).TotalMessageCount);

        // The other subscription's copy and its dead-letter queue are untouched.
        await using var otherDeadLetters = _client.CreateReceiver(topic, "other", new LoireReceiverOptions { SubQueue = SubQueue.DeadLetter });
        Assert.Null(await otherDeadLetters.ReceiveMessageAsync(TimeSpan.Zero));
        Assert.Equal(["m-1"], await DrainIdsAsync(_client, topic, "other", 1));
    }

    [Fact]
    public async Task ASubscriptionMessageWhoseLockExpiresIsRedeliveredAndTheOldLockIsLost()
    {
        var topic = await _admin.CreateFreshTopicAsync("sub-lock-expiry");
        await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "s") { LockDuration = TimeSpan.FromSeconds(1) });
        await using var sender = _client.CreateSender(topic);
        await sender.SendMessageAsync(Message("m-1"));
        await using var receiver = _client.CreateReceiver(topic, "s");

        var first = await receiver.ReceiveMessageAsync(ArrivalTimeout);
        Assert.NotNull(first);
        Assert.True(first.LockedUntil - DateTimeOffset.UtcNow <= TimeSpan.FromSeconds(1.5), $"LockedUntil {first.LockedUntil:O} is not about 1 s ahead");

        // Not settled: the lock runs out and the message comes back by itself.
        var second = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));

        Assert.NotNull(second);
        Assert.Equal("m-1", second.MessageId);
        Assert.Equal(2, second.DeliveryCount);
        await ThrowsLoireAsync(LoireErrorReason.MessageLockLost, () => receiver.CompleteMessageAsync(first));
        await receiver.CompleteMessageAsync(second);
        Assert.Equal(0, (await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "s")).TotalMessageCount);
    }

    [Fact]
    public async Task ASubscriptionMessageDeliveredMaxDeliveryCountTimesMovesToTheDeadLetterQueue()
    {
        var topic = await _admin.CreateFreshTopicAsync("sub-max-delivery");
        await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "s") { MaxDeliveryCount = 2 });
        await using var sender = _client.CreateSender(topic);
        await sender.SendMessageAsync(Message("m-1"));
        await using var receiver = _client.CreateReceiver(topic, "s");

        for (var delivery = 1; delivery <= 2; delivery++)
        {
            var message = await receiver.ReceiveMessageAsync(ArrivalTimeout);
            Assert.NotNull(message);
            Assert.Equal(delivery, message.DeliveryCount);
            await receiver.AbandonMessageAsync(message);
        }

        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.Zero));
        await using var deadLetters = _client.CreateReceiver(topic, "s", new LoireReceiverOptions { SubQueue = SubQueue.DeadLetter });
        var dead = await deadLetters.ReceiveMessageAsync(ArrivalTimeout);
        Assert.NotNull(dead);
        Assert.Equal("m-1", dead.MessageId);
        Assert.Equal("MaxDeliveryCountExceeded", dead.DeadLetterReason);
        var properties = await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "s");
        Assert.Equal(0, properties.ActiveMessageCount);
        Assert.Equal(1, properties.DeadLetterMessageCount);
    }

    [Fact]
    public async Task ASubscriptionMessageWhoseLockExpiresMaxDeliveryCountTimesMovesToTheDeadLetterQueue()
    {
        var topic = await _admin.CreateFreshTopicAsync("sub-max-delivery-lock");
        await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "s") { MaxDeliveryCount = 1, LockDuration = TimeSpan.FromSeconds(1) });
        await using var sender = _client.CreateSender(topic);
        await sender.SendMessageAsync(Message("m-1"));
        await using var receiver = _client.CreateReceiver(topic, "s");
        var message = await receiver.ReceiveMessageAsync(ArrivalTimeout);
        Assert.NotNull(message);

        await using var deadLetters = _client.CreateReceiver(topic, "s", new LoireReceiverOptions { SubQueue = SubQueue.DeadLetter });
        var dead = await deadLetters.ReceiveMessageAsync(TimeSpan.FromSeconds(5));

        Assert.NotNull(dead);
        Assert.Equal("m-1", dead.MessageId);
        Assert.Equal("MaxDeliveryCountExceeded", dead.DeadLetterReason);
        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.Zero));
    }

    [Fact]
    public async Task ASubscriptionDefaultTimeToLiveExpiresMessagesToItsDeadLetterQueueOnlyInThatSubscription()
    {
        var topic = await _admin.CreateFreshTopicAsync("sub-ttl-dlq");
        await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "short")
        {
            DefaultMessageTimeToLive = TimeSpan.FromSeconds(1),
            DeadLetteringOnMessageExpiration = true,
        });
        await _admin.CreateSubscriptionAsync(topic, "long");
        await using var sender = _client.CreateSender(topic);
        var before = DateTimeOffset.UtcNow;
        await sender.SendMessageAsync(Message("m-1"));

        await EventuallyAsync(() => _admin.GetSubscriptionRuntimePropertiesAsync(topic, "short"), p => p.DeadLetterMessageCount == 1,
            "the expired message to reach the dead-letter queue");
        await using var deadLetters = _client.CreateReceiver(topic, "short", new LoireReceiverOptions { SubQueue = SubQueue.DeadLetter });
        var dead = await deadLetters.ReceiveMessageAsync(ArrivalTimeout);

        Assert.NotNull(dead);
        Assert.Equal("m-1", dead.MessageId);
        Assert.Equal("TTLExpiredException", dead.DeadLetterReason);
        Assert.True(dead.ExpiresAt <= before + TimeSpan.FromSeconds(2), $"ExpiresAt {dead.ExpiresAt:O} should be about 1 s after {before:O}");
        await using var shortReceiver = _client.CreateReceiver(topic, "short");
        Assert.Null(await shortReceiver.ReceiveMessageAsync(TimeSpan.Zero));

        // The subscription without a time to live still has its copy.
        await using var longReceiver = _client.CreateReceiver(topic, "long");
        var kept = await longReceiver.ReceiveMessageAsync(ArrivalTimeout);
        Assert.NotNull(kept);
        Assert.Equal("m-1", kept.MessageId);
        Assert.Equal(DateTimeOffset.MaxValue, kept.ExpiresAt);
    }

    [Fact]
    public async Task AMessageTimeToLiveDropsTheExpiredSubscriptionMessageWhenDeadLetteringOnExpiryIsOff()
    {
        var topic = await _admin.CreateFreshTopicAsync("sub-ttl-drop");
        await _admin.CreateSubscriptionAsync(topic, "s");
        await using var sender = _client.CreateSender(topic);
        await sender.SendMessageAsync(new LoireMessage("short-lived") { MessageId = "short", TimeToLive = TimeSpan.FromMilliseconds(500) });
        await sender.SendMessageAsync(Message("long"));

        await EventuallyAsync(() => _admin.GetSubscriptionRuntimePropertiesAsync(topic, "s"), p => p.TotalMessageCount == 1,
            "the expired message to be dropped");

        var properties = await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "s");
        Assert.Equal(0, properties.DeadLetterMessageCount);
        Assert.Equal(["long"], await DrainIdsAsync(_client, topic, "s", 1));
    }

    [Fact]
    public async Task ATopicDefaultTimeToLiveAppliesToTheMessagesItsSubscriptionsHold()
    {
        var topic = NewTopicName("sub-topic-ttl");
        await _admin.CreateTopicAsync(new CreateTopicOptions(topic) { DefaultMessageTimeToLive = TimeSpan.FromSeconds(1) });
        await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "s") { DeadLetteringOnMessageExpiration = true });
        await using var sender = _client.CreateSender(topic);
        await sender.SendMessageAsync(Message("m-1"));

        await EventuallyAsync(() => _admin.GetSubscriptionRuntimePropertiesAsync(topic, "s"), p => p.DeadLetterMessageCount == 1,
            "the expired message to reach the dead-letter queue");
        await using var deadLetters = _client.CreateReceiver(topic, "s", new LoireReceiverOptions { SubQueue = SubQueue.DeadLetter });
        var dead = await deadLetters.ReceiveMessageAsync(ArrivalTimeout);

        Assert.NotNull(dead);
        Assert.Equal("m-1", dead.MessageId);
        Assert.Equal("TTLExpiredException", dead.DeadLetterReason);
        Assert.Equal(0, (await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "s")).ActiveMessageCount);
    }

    [Fact]
    public async Task AReceiverWaitingOnASubscriptionDeadLetterQueueGetsAMessageAsSoonAsItExpiresIntoIt()
    {
        var topic = await _admin.CreateFreshTopicAsync("sub-ttl-dlq-wait");
        await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "s")
        {
            DefaultMessageTimeToLive = TimeSpan.FromSeconds(1),
            DeadLetteringOnMessageExpiration = true,
        });
        await using var sender = _client.CreateSender(topic);
        await sender.SendMessageAsync(Message("m-1"));
        await using var deadLetters = _client.CreateReceiver(topic, "s", new LoireReceiverOptions { SubQueue = SubQueue.DeadLetter });

        // One long poll that starts before the message expires must be handed the message when it moves.
        var dead = await deadLetters.ReceiveMessageAsync(TimeSpan.FromSeconds(4));

        Assert.NotNull(dead);
        Assert.Equal("m-1", dead.MessageId);
        Assert.Equal("TTLExpiredException", dead.DeadLetterReason);
    }

    [Fact]
    public async Task ASubscriptionCanBeReadInReceiveAndDeleteModeAndPeekedWithoutLocking()
    {
        var topic = await _admin.CreateFreshTopicAsync("sub-modes");
        await _admin.CreateSubscriptionAsync(topic, "s");
        await using var sender = _client.CreateSender(topic);
        await sender.SendMessagesAsync([Message("m-1"), Message("m-2")]);
        await using var peeker = _client.CreateReceiver(topic, "s");

        var peeked = await peeker.PeekMessagesAsync(10);
        Assert.Equal(["m-1", "m-2"], peeked.Select(m => m.MessageId));
        Assert.Equal(2, (await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "s")).ActiveMessageCount);
        Assert.Equal(0, (await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "s")).LockedMessageCount);

        await using var receiver = _client.CreateReceiver(topic, "s", new LoireReceiverOptions { ReceiveMode = LoireReceiveMode.ReceiveAndDelete });
        var received = await ReceiveAtLeastAsync(receiver, 2);

        Assert.Equal(["m-1", "m-2"], received.Select(m => m.MessageId));
        Assert.Equal(0, (await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "s")).TotalMessageCount);
    }

    [Fact]
    public async Task ADeferredSubscriptionMessageIsReceivedBySequenceNumber()
    {
        var topic = await _admin.CreateFreshTopicAsync("sub-defer");
        await _admin.CreateSubscriptionAsync(topic, "s");
        await using var sender = _client.CreateSender(topic);
        await sender.SendMessageAsync(Message("m-1"));
        await using var receiver = _client.CreateReceiver(topic, "s");
        var message = await receiver.ReceiveMessageAsync(ArrivalTimeout);
        Assert.NotNull(message);

        await receiver.DeferMessageAsync(message);

        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.Zero));
        Assert.Equal(1, (await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "s")).DeferredMessageCount);
        var deferred = await receiver.ReceiveDeferredMessageAsync(message.SequenceNumber);
        Assert.Equal("m-1", deferred.MessageId);
        await receiver.CompleteMessageAsync(deferred);
        Assert.Equal(0, (await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "s")).TotalMessageCount);
    }
}
