using Loire.Client;
using Loire.Client.Administration;
using Loire.Tests.Infrastructure;
using static Loire.Tests.Queues.QueueTestKit;

namespace Loire.Tests.Queues;

/// <summary>
/// Updates of queue, topic and subscription settings through the administration client: stored (the catalog reads
/// them back), in force at once in the live activation, on every partition, and refused whole when a value is bad.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class EntityUpdateTests(ClusterFixture fixture)
{
    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    [Fact]
    public async Task QueueUpdateIsStoredAndAppliesToTheLiveQueue()
    {
        var name = await _admin.CreateTestQueueAsync(o => o.MaxDeliveryCount = 10);
        await using var sender = fixture.Client.CreateSender(name);
        await using var receiver = fixture.Client.CreateReceiver(name);
        await sender.SendMessageAsync(Message("a"));
        Assert.Equal(0, (await receiver.PeekMessageAsync())!.DeliveryCount); // the queue is active before the change

        var options = new CreateQueueOptions(await _admin.GetQueueAsync(name))
        {
            MaxDeliveryCount = 1,
            LockDuration = TimeSpan.FromMinutes(2),
            DefaultMessageTimeToLive = TimeSpan.FromHours(3),
            MaxMessageCount = 100,
        };
        var updated = await _admin.UpdateQueueAsync(options);
        Assert.Equal((1, TimeSpan.FromMinutes(2), TimeSpan.FromHours(3), 100L), (updated.MaxDeliveryCount, updated.LockDuration, updated.DefaultMessageTimeToLive, updated.MaxMessageCount));
        Assert.True(updated.UpdatedAt > updated.CreatedAt);
        var stored = await _admin.GetQueueAsync(name);
        Assert.Equal((1, TimeSpan.FromMinutes(2)), (stored.MaxDeliveryCount, stored.LockDuration));

        // The new lock duration and delivery limit hold for the message already there: one abandon dead-letters it.
        var before = DateTimeOffset.UtcNow;
        var message = (await receiver.ReceiveMessageAsync(Patience))!;
        Assert.True(message.LockedUntil >= before + TimeSpan.FromSeconds(110), $"locked until {message.LockedUntil:O}, received after {before:O}");
        await receiver.AbandonMessageAsync(message);
        var runtime = await _admin.RuntimePropertiesWhenAsync(name, p => p.DeadLetterMessageCount == 1, "the abandoned message is dead-lettered");
        Assert.Equal(0, runtime.ActiveMessageCount);

        // A message sent now gets the new default time to live.
        await sender.SendMessageAsync(Message("b"));
        var peeked = (await receiver.PeekMessageAsync())!;
        Assert.Equal(TimeSpan.FromHours(3), peeked.TimeToLive);
    }

    [Fact]
    public async Task BadQueueUpdateChangesNothing()
    {
        var name = await _admin.CreateTestQueueAsync(o => o.MaxDeliveryCount = 4);
        var current = await _admin.GetQueueAsync(name);

        // Refused by the client, by the broker, and as a change of a setting fixed at creation.
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument, () => _admin.UpdateQueueAsync(new CreateQueueOptions(current) { MaxDeliveryCount = 0 }));
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument, () => _admin.UpdateQueueAsync(new CreateQueueOptions(current) { LockDuration = TimeSpan.FromMinutes(6), MaxDeliveryCount = 2 }));
        var fixedSetting = await ThrowsLoireAsync(LoireErrorReason.InvalidArgument, () => _admin.UpdateQueueAsync(new CreateQueueOptions(current) { RequiresSession = true, MaxDeliveryCount = 2 }));
        Assert.Contains("RequiresSession cannot be changed", fixedSetting.Message);
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument, () => _admin.UpdateQueueAsync(new CreateQueueOptions(current) { PartitionCount = 2 }));
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => _admin.UpdateQueueAsync(new CreateQueueOptions(current) { ForwardTo = NewQueueName("missing") }));
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => _admin.UpdateQueueAsync(new CreateQueueOptions(NewQueueName("absent"))));

        var after = await _admin.GetQueueAsync(name);
        Assert.Equal((4, current.LockDuration, false, current.ForwardTo, current.UpdatedAt), (after.MaxDeliveryCount, after.LockDuration, after.RequiresSession, after.ForwardTo, after.UpdatedAt));
    }

    [Fact]
    public async Task PartitionedQueueUpdateReachesEveryPartition()
    {
        var name = await _admin.CreateTestQueueAsync(o => o.PartitionCount = 3);
        await using var sender = fixture.Client.CreateSender(name);
        // Thirty fixed keys hash onto all three partitions (a batch is one partition's, so one send each).
        for (var i = 0; i < 30; i++)
        {
            await sender.SendMessageAsync(new LoireMessage([]) { MessageId = $"m-{i}", PartitionKey = $"key-{i}" });
        }

        await _admin.UpdateQueueAsync(new CreateQueueOptions(await _admin.GetQueueAsync(name)) { MaxDeliveryCount = 1 });

        // One abandon each dead-letters the messages of every partition.
        await using var receiver = fixture.Client.CreateReceiver(name);
        foreach (var message in await ReceiveAtLeastAsync(receiver, 30))
        {
            await receiver.AbandonMessageAsync(message);
        }

        var runtime = await _admin.RuntimePropertiesWhenAsync(name, p => p.DeadLetterMessageCount == 30, "every partition dead-letters its messages");
        Assert.Equal(0, runtime.ActiveMessageCount);
    }

    [Fact]
    public async Task TopicAndSubscriptionUpdatesAreStoredAndApplied()
    {
        var topic = NewQueueName().Replace("queues/", "topics/", StringComparison.Ordinal);
        await _admin.CreateTopicAsync(new CreateTopicOptions(topic) { MaxSizeInMegabytes = 100 });
        await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "audit") { MaxDeliveryCount = 5 });

        var updatedTopic = await _admin.UpdateTopicAsync(new CreateTopicOptions(await _admin.GetTopicAsync(topic)) { DefaultMessageTimeToLive = TimeSpan.FromHours(2) });
        Assert.Equal(TimeSpan.FromHours(2), updatedTopic.DefaultMessageTimeToLive);
        Assert.Equal(TimeSpan.FromHours(2), (await _admin.GetTopicAsync(topic)).DefaultMessageTimeToLive);
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument,
            () => _admin.UpdateTopicAsync(new CreateTopicOptions(topic) { MaxSizeInMegabytes = 100, RequiresDuplicateDetection = true }));

        var subscription = await _admin.UpdateSubscriptionAsync(new CreateSubscriptionOptions(await _admin.GetSubscriptionAsync(topic, "audit")) { MaxDeliveryCount = 1 });
        Assert.Equal(1, subscription.MaxDeliveryCount);
        Assert.Equal(1, (await _admin.GetSubscriptionAsync(topic, "audit")).MaxDeliveryCount);
        Assert.Equal(1, (await CollectAsync(_admin.GetSubscriptionsAsync(topic))).Single().MaxDeliveryCount);
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument,
            () => _admin.UpdateSubscriptionAsync(new CreateSubscriptionOptions(topic, "audit") { MaxDeliveryCount = 0 }));
        Assert.Equal(1, (await _admin.GetSubscriptionAsync(topic, "audit")).MaxDeliveryCount);

        // The rules stay, and the topic's new time to live and the subscription's delivery limit apply to what is sent now.
        Assert.IsType<TrueRuleFilter>((await CollectAsync(_admin.GetRulesAsync(topic, "audit"))).Single().Filter);
        await using var sender = fixture.Client.CreateSender(topic);
        await sender.SendMessageAsync(Message("t-1"));
        await using var receiver = fixture.Client.CreateReceiver(topic, "audit");
        var message = (await receiver.ReceiveMessageAsync(Patience))!;
        Assert.Equal(TimeSpan.FromHours(2), message.TimeToLive);
        await receiver.AbandonMessageAsync(message);
        await using var deadLetters = fixture.Client.CreateReceiver(topic, "audit", new LoireReceiverOptions { SubQueue = SubQueue.DeadLetter });
        Assert.Equal("t-1", (await deadLetters.ReceiveMessageAsync(Patience))!.MessageId);
    }
}
