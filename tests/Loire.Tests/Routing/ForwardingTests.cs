using Loire.Client;
using Loire.Client.Administration;
using Loire.Entities;
using Loire.Grains;
using Loire.Tests.Infrastructure;
using static Loire.Tests.Queues.QueueTestKit;
using static Loire.Tests.Routing.RoutingTestKit;

namespace Loire.Tests.Routing;

[Collection(ClusterCollection.Name)]
public sealed class ForwardingTests(ClusterFixture fixture)
{
    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    [Fact]
    public async Task QueueForwardsEverythingToAQueueAndKeepsNothing()
    {
        var target = await _admin.NewQueueAsync("target");
        var source = await _admin.NewQueueAsync("source", o => o.ForwardTo = target);
        await using var sender = fixture.Client.CreateSender(source);

        await sender.SendMessageAsync(Message("a"));
        await sender.SendMessagesAsync([Message("b"), Message("c")]);

        var properties = await _admin.GetQueueRuntimePropertiesAsync(source);
        Assert.True(properties.TotalMessageCount == 0, Describe(properties));
        Assert.Equal(3, (await _admin.GetQueueRuntimePropertiesAsync(target)).TotalMessageCount);
        Assert.Equal(["a", "b", "c"], (await DrainAsync(fixture.Client, target, 3)).Select(m => m.MessageId));
        Assert.Equal(target, (await _admin.GetQueueAsync(source)).ForwardTo);
    }

    [Fact]
    public async Task ScheduledMessageSentToAForwardingQueueCanBeCancelled()
    {
        var target = await _admin.NewQueueAsync("target");
        var source = await _admin.NewQueueAsync("source", o => o.ForwardTo = target);
        await using var sender = fixture.Client.CreateSender(source);

        var sequenceNumber = await sender.ScheduleMessageAsync(Message("later"), DateTimeOffset.UtcNow.AddMinutes(10));
        Assert.Equal(1, (await _admin.GetQueueRuntimePropertiesAsync(target)).ScheduledMessageCount);
        await sender.CancelScheduledMessageAsync(sequenceNumber);

        Assert.Equal(0, (await _admin.GetQueueRuntimePropertiesAsync(target)).TotalMessageCount);
    }

    [Fact]
    public async Task SubscriptionForwardsToAQueue()
    {
        var target = await _admin.NewQueueAsync("target");
        var topic = await _admin.NewTopicAsync("t");
        await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "fwd") { ForwardTo = target });
        await _admin.CreateSubscriptionAsync(topic, "plain");
        await using var sender = fixture.Client.CreateSender(topic);

        await sender.SendMessagesAsync([Message("e-1"), Message("e-2")]);

        Assert.Equal(["e-1", "e-2"], Ids(await DrainAsync(fixture.Client, target, 2)));
        Assert.Equal(["e-1", "e-2"], Ids(await DrainAsync(fixture.Client, topic, "plain", 2)));
        Assert.Equal(0, (await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "fwd")).TotalMessageCount);
        Assert.Equal(target, (await _admin.GetSubscriptionAsync(topic, "fwd")).ForwardTo);
    }

    [Fact]
    public async Task QueueForwardsToATopic()
    {
        var topic = await _admin.NewTopicAsync("t");
        await _admin.CreateSubscriptionAsync(topic, "s");
        var source = await _admin.NewQueueAsync("source", o => o.ForwardTo = topic);
        await using var sender = fixture.Client.CreateSender(source);

        await sender.SendMessageAsync(Message("x"));

        Assert.Equal(["x"], Ids(await DrainAsync(fixture.Client, topic, "s", 1)));
        Assert.Equal(0, (await _admin.GetQueueRuntimePropertiesAsync(source)).TotalMessageCount);
    }

    [Fact]
    public async Task ForwardingQueueWithDuplicateDetectionForwardsEachMessageIdOnce()
    {
        var target = await _admin.NewQueueAsync("target");
        var source = await _admin.NewQueueAsync("source", o =>
        {
            o.ForwardTo = target;
            o.RequiresDuplicateDetection = true;
        });
        await using var sender = fixture.Client.CreateSender(source);

        await sender.SendMessageAsync(Message("m"));
        await sender.SendMessagesAsync([Message("m"), Message("n"), Message("n")]);

        Assert.Equal(["m", "n"], Ids(await DrainAsync(fixture.Client, target, 2)));
    }

    [Fact]
    public async Task SendFailsClearlyWhenTheForwardTargetWasDeleted()
    {
        var target = await _admin.NewQueueAsync("target");
        var source = await _admin.NewQueueAsync("source", o => o.ForwardTo = target);
        await _admin.DeleteQueueAsync(target);
        await using var sender = fixture.Client.CreateSender(source);

        var error = await ThrowsLoireAsync(LoireErrorReason.MessagingEntityDisabled, () => sender.SendMessageAsync(Message("m")));
        Assert.Contains(target, error.Message);
    }

    [Fact]
    public async Task ForwardTargetMustExist()
    {
        var missing = NewName("missing");

        var error = await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound,
            () => _admin.CreateQueueAsync(new CreateQueueOptions(NewName("source")) { ForwardTo = missing }));
        Assert.Equal(missing, error.EntityPath);
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound,
            () => _admin.CreateQueueAsync(new CreateQueueOptions(NewName("source")) { ForwardDeadLetteredMessagesTo = missing }));
        var topic = await _admin.NewTopicAsync("t");
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound,
            () => _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "s") { ForwardTo = missing }));
        Assert.False(await _admin.SubscriptionExistsAsync(topic, "s"));
    }

    [Fact]
    public async Task ForwardingToItselfIsRefused()
    {
        var path = NewName();
        // The client refuses it before sending; the broker refuses it too.
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument, () => _admin.CreateQueueAsync(new CreateQueueOptions(path) { ForwardTo = path }));
        var grain = fixture.Cluster.Client.GetGrain<IQueueGrain>(path);
        var now = DateTimeOffset.UtcNow;
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument,
            () => grain.CreateAsync(new EntityDescription(path, EntityKind.Queue, new EntityOptions { ForwardTo = path }, now, now)));
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument,
            () => grain.CreateAsync(new EntityDescription(path, EntityKind.Queue, new EntityOptions { ForwardDeadLetteredMessagesTo = path }, now, now)));
        Assert.False(await _admin.QueueExistsAsync(path));
    }

    [Fact]
    public async Task ForwardingLoopIsRefused()
    {
        var b = NewName("b");
        await _admin.CreateQueueAsync(b);
        var a = await _admin.NewQueueAsync("a", o => o.ForwardTo = b);

        // b cannot be recreated to forward back to a.
        await _admin.DeleteQueueAsync(b);
        var error = await ThrowsLoireAsync(LoireErrorReason.InvalidArgument,
            () => _admin.CreateQueueAsync(new CreateQueueOptions(b) { ForwardTo = a }));
        Assert.Contains("loop", error.Message);
        Assert.Contains($"{b} → {a} → {b}", error.Message);
        Assert.False(await _admin.QueueExistsAsync(b));
    }

    [Fact]
    public async Task ForwardingLoopThroughATopicIsRefused()
    {
        var topic = await _admin.NewTopicAsync("t");
        var queue = await _admin.NewQueueAsync("q", o => o.ForwardTo = topic);

        // topic → subscription → queue → topic.
        var error = await ThrowsLoireAsync(LoireErrorReason.InvalidArgument,
            () => _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "s") { ForwardTo = queue }));
        Assert.Contains("loop", error.Message);
        Assert.False(await _admin.SubscriptionExistsAsync(topic, "s"));

        // And the other way round: a queue feeding a topic whose subscription forwards to that queue.
        var other = NewName("other");
        await _admin.CreateQueueAsync(other);
        var topic2 = await _admin.NewTopicAsync("t2");
        await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic2, "s") { ForwardTo = other });
        await _admin.DeleteQueueAsync(other);
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument,
            () => _admin.CreateQueueAsync(new CreateQueueOptions(other) { ForwardTo = topic2 }));
    }

    [Fact]
    public async Task ForwardingChainsAreCappedAtFourHops()
    {
        var last = await _admin.NewQueueAsync("q5");
        var q4 = await _admin.NewQueueAsync("q4", o => o.ForwardTo = last);
        var q3 = await _admin.NewQueueAsync("q3", o => o.ForwardTo = q4);
        var q2 = await _admin.NewQueueAsync("q2", o => o.ForwardTo = q3);
        var q1 = await _admin.NewQueueAsync("q1", o => o.ForwardTo = q2);

        var error = await ThrowsLoireAsync(LoireErrorReason.InvalidArgument,
            () => _admin.CreateQueueAsync(new CreateQueueOptions(NewName("q0")) { ForwardTo = q1 }));
        Assert.Contains("4 hops", error.Message);

        // Four hops work end to end.
        await using var sender = fixture.Client.CreateSender(q1);
        await sender.SendMessageAsync(Message("far"));
        Assert.Equal(["far"], Ids(await DrainAsync(fixture.Client, last, 1)));
    }

    [Fact]
    public async Task TopicsDoNotForward()
    {
        var target = await _admin.NewQueueAsync("target");
        var path = NewName("t");
        var grain = fixture.Cluster.Client.GetGrain<ITopicGrain>(path);
        var now = DateTimeOffset.UtcNow;

        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument,
            () => grain.CreateAsync(new EntityDescription(path, EntityKind.Topic, new EntityOptions { ForwardTo = target }, now, now)));
    }

    [Fact]
    public async Task ExplicitDeadLetterIsForwardedWithItsReason()
    {
        var target = await _admin.NewQueueAsync("dlq-target");
        var source = await _admin.NewQueueAsync("source", o => o.ForwardDeadLetteredMessagesTo = target);
        await using var sender = fixture.Client.CreateSender(source);
        await using var receiver = fixture.Client.CreateReceiver(source);
        var original = Message("poison");
        original.ApplicationProperties["kept"] = 42;
        await sender.SendMessageAsync(original);
        var received = await receiver.ReceiveMessageAsync(Patience);

        await receiver.DeadLetterMessageAsync(received!, "BadInput", "The order has no lines.");

        var forwarded = Assert.Single(await DrainAsync(fixture.Client, target, 1));
        Assert.Equal("poison", forwarded.MessageId);
        Assert.Equal("BadInput", forwarded.ApplicationProperties["DeadLetterReason"]);
        Assert.Equal("The order has no lines.", forwarded.ApplicationProperties["DeadLetterErrorDescription"]);
        Assert.Equal(42, Convert.ToInt32(forwarded.ApplicationProperties["kept"]));
        Assert.Equal(1, forwarded.DeliveryCount);
        await _admin.RuntimePropertiesWhenAsync(source, p => p.TotalMessageCount == 0, "the source to forget the dead letter");
    }

    [Fact]
    public async Task MessageOverMaxDeliveryCountIsForwardedInsteadOfDeadLettered()
    {
        var target = await _admin.NewQueueAsync("dlq-target");
        var source = await _admin.NewQueueAsync("source", o =>
        {
            o.MaxDeliveryCount = 1;
            o.ForwardDeadLetteredMessagesTo = target;
        });
        await using var sender = fixture.Client.CreateSender(source);
        await using var receiver = fixture.Client.CreateReceiver(source);
        await sender.SendMessageAsync(Message("flaky"));

        await receiver.AbandonMessageAsync((await receiver.ReceiveMessageAsync(Patience))!);

        var forwarded = Assert.Single(await DrainAsync(fixture.Client, target, 1));
        Assert.Equal("MaxDeliveryCountExceeded", forwarded.ApplicationProperties["DeadLetterReason"]);
        await _admin.RuntimePropertiesWhenAsync(source, p => p.TotalMessageCount == 0, "the source to forget the dead letter");
    }

    [Fact]
    public async Task ExpiredMessageIsForwardedWhenExpiryDeadLetters()
    {
        var target = await _admin.NewQueueAsync("dlq-target");
        var source = await _admin.NewQueueAsync("source", o =>
        {
            o.DeadLetteringOnMessageExpiration = true;
            o.ForwardDeadLetteredMessagesTo = target;
        });
        await using var sender = fixture.Client.CreateSender(source);

        await sender.SendMessageAsync(new LoireMessage("stale") { MessageId = "stale", TimeToLive = TimeSpan.FromMilliseconds(300) });

        var forwarded = Assert.Single(await DrainAsync(fixture.Client, target, 1));
        Assert.Equal("TTLExpiredException", forwarded.ApplicationProperties["DeadLetterReason"]);
        await _admin.RuntimePropertiesWhenAsync(source, p => p.TotalMessageCount == 0, "the source to forget the dead letter");
    }

    [Fact]
    public async Task SubscriptionDeadLettersAreForwarded()
    {
        var target = await _admin.NewQueueAsync("dlq-target");
        var topic = await _admin.NewTopicAsync("t");
        await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "s") { ForwardDeadLetteredMessagesTo = target });
        await using var sender = fixture.Client.CreateSender(topic);
        await using var receiver = fixture.Client.CreateReceiver(topic, "s");
        await sender.SendMessageAsync(Message("e"));

        await receiver.DeadLetterMessageAsync((await receiver.ReceiveMessageAsync(Patience))!, "Nope");

        var forwarded = Assert.Single(await DrainAsync(fixture.Client, target, 1));
        Assert.Equal("Nope", forwarded.ApplicationProperties["DeadLetterReason"]);
        Assert.Equal(EntityPath.Subscription(topic, "s"), forwarded.ApplicationProperties["DeadLetterSource"]);
    }
}
