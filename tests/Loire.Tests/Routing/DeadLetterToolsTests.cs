using Loire.Client;
using Loire.Client.Administration;
using Loire.Tests.Infrastructure;
using static Loire.Tests.Queues.QueueTestKit;
using static Loire.Tests.Routing.RoutingTestKit;

namespace Loire.Tests.Routing;

[Collection(ClusterCollection.Name)]
public sealed class DeadLetterToolsTests(ClusterFixture fixture)
{
    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    [Fact]
    public async Task PurgeEmptiesTheQueueButNotItsDeadLetterQueue()
    {
        var queue = await _admin.NewQueueAsync("q");
        await using var sender = fixture.Client.CreateSender(queue);
        await using var receiver = fixture.Client.CreateReceiver(queue);
        await sender.SendMessagesAsync([Message("dead"), Message("locked"), Message("deferred"), Message("active")]);
        await sender.ScheduleMessageAsync(Message("scheduled"), DateTimeOffset.UtcNow.AddMinutes(10));
        await receiver.DeadLetterMessageAsync((await receiver.ReceiveMessageAsync(Patience))!, "r");
        var locked = (await receiver.ReceiveMessageAsync(Patience))!;
        await receiver.DeferMessageAsync((await receiver.ReceiveMessageAsync(Patience))!);

        var purged = await _admin.PurgeMessagesAsync(queue);

        Assert.Equal(4, purged);
        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.TotalMessageCount == 1 && properties.DeadLetterMessageCount == 1, Describe(properties));
        await ThrowsLoireAsync(LoireErrorReason.MessageLockLost, () => receiver.CompleteMessageAsync(locked));
        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.Zero));
        await sender.SendMessageAsync(Message("after"));
        Assert.Equal(["after"], Ids(await DrainAsync(fixture.Client, queue, 1)));
    }

    [Fact]
    public async Task PurgeOfTheDeadLetterQueueLeavesTheQueueAlone()
    {
        var queue = await _admin.NewQueueAsync("q");
        await DeadLetterAsync(queue, "d-1", "d-2", "d-3");
        await using var sender = fixture.Client.CreateSender(queue);
        await sender.SendMessageAsync(Message("live"));

        Assert.Equal(3, await _admin.PurgeMessagesAsync(queue, SubQueue.DeadLetter));

        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.DeadLetterMessageCount == 0 && properties.ActiveMessageCount == 1, Describe(properties));
        Assert.Equal(0, await _admin.PurgeMessagesAsync(queue, SubQueue.DeadLetter));
    }

    [Fact]
    public async Task ResubmitMovesEveryDeadLetterBackAsFresh()
    {
        var queue = await _admin.NewQueueAsync("q");
        await DeadLetterAsync(queue, "d-1", "d-2", "d-3");

        Assert.Equal(3, await _admin.ResubmitDeadLetterMessagesAsync(queue));

        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.DeadLetterMessageCount == 0 && properties.ActiveMessageCount == 3, Describe(properties));
        var again = await DrainAsync(fixture.Client, queue, 3);
        Assert.Equal(["d-1", "d-2", "d-3"], again.Select(m => m.MessageId));
        Assert.All(again, m =>
        {
            Assert.Equal(1, m.DeliveryCount);
            Assert.Null(m.DeadLetterReason);
            Assert.Null(m.DeadLetterErrorDescription);
        });
    }

    [Fact]
    public async Task ResubmitBySequenceNumberMovesOnlyThose()
    {
        var queue = await _admin.NewQueueAsync("q");
        var numbers = await DeadLetterAsync(queue, "d-1", "d-2", "d-3");

        Assert.Equal(1, await _admin.ResubmitDeadLetterMessagesAsync(queue, [numbers["d-2"], 987_654_321]));
        // Resubmitting again finds it no longer dead-lettered.
        Assert.Equal(0, await _admin.ResubmitDeadLetterMessagesAsync(queue, [numbers["d-2"]]));

        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.DeadLetterMessageCount == 2 && properties.ActiveMessageCount == 1, Describe(properties));
        var resubmitted = Assert.Single(await DrainAsync(fixture.Client, queue, 1));
        Assert.Equal("d-2", resubmitted.MessageId);
        Assert.Equal(numbers["d-2"], resubmitted.SequenceNumber);
        Assert.Equal(["d-1", "d-3"], Ids(await DrainAsync(fixture.Client, queue, 2, SubQueue.DeadLetter)));
    }

    [Fact]
    public async Task ResubmittedExpiredMessageGetsANewTimeToLive()
    {
        var queue = await _admin.NewQueueAsync("q", o => o.DeadLetteringOnMessageExpiration = true);
        await using var sender = fixture.Client.CreateSender(queue);
        await sender.SendMessageAsync(new LoireMessage("x") { MessageId = "x", TimeToLive = TimeSpan.FromMilliseconds(300) });
        await _admin.RuntimePropertiesWhenAsync(queue, p => p.DeadLetterMessageCount == 1, "the message to expire into the dead-letter queue");

        Assert.Equal(1, await _admin.ResubmitDeadLetterMessagesAsync(queue));

        // It is receivable, not immediately expired again.
        await using var receiver = fixture.Client.CreateReceiver(queue);
        var message = await receiver.ReceiveMessageAsync(Patience);
        Assert.NotNull(message);
        Assert.Equal("x", message.MessageId);
        Assert.True(message.ExpiresAt > DateTimeOffset.UtcNow, $"ExpiresAt {message.ExpiresAt:O} is in the past.");
        await receiver.CompleteMessageAsync(message);
    }

    [Fact]
    public async Task LockedDeadLetterIsNotResubmitted()
    {
        var queue = await _admin.NewQueueAsync("q");
        await DeadLetterAsync(queue, "d-1", "d-2");
        await using var deadLetters = fixture.Client.CreateReceiver(queue, new LoireReceiverOptions { SubQueue = SubQueue.DeadLetter });
        var held = await deadLetters.ReceiveMessageAsync(Patience);

        Assert.Equal(1, await _admin.ResubmitDeadLetterMessagesAsync(queue));

        await deadLetters.CompleteMessageAsync(held!);
        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.DeadLetterMessageCount == 0 && properties.ActiveMessageCount == 1, Describe(properties));
    }

    [Fact]
    public async Task SubscriptionsCanBePurgedAndResubmitted()
    {
        var topic = await _admin.NewTopicAsync("t");
        await _admin.CreateSubscriptionAsync(topic, "s");
        await using var sender = fixture.Client.CreateSender(topic);
        await using var receiver = fixture.Client.CreateReceiver(topic, "s");
        await sender.SendMessagesAsync([Message("a"), Message("b"), Message("c")]);
        for (var i = 0; i < 2; i++)
        {
            await receiver.DeadLetterMessageAsync((await receiver.ReceiveMessageAsync(Patience))!, "r");
        }

        Assert.Equal(2, await _admin.ResubmitDeadLetterMessagesAsync(topic, "s"));
        var properties = await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "s");
        Assert.True(properties.ActiveMessageCount == 3 && properties.DeadLetterMessageCount == 0, $"{properties.ActiveMessageCount}/{properties.DeadLetterMessageCount}");
        Assert.Equal(3, await _admin.PurgeMessagesAsync(topic, "s"));
        Assert.Equal(0, (await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "s")).TotalMessageCount);
        Assert.Equal(0, await _admin.PurgeMessagesAsync(topic, "s", SubQueue.DeadLetter));
    }

    [Fact]
    public async Task ToolsOnAnUnknownEntityFailWithNotFound()
    {
        var name = NewName();
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => _admin.PurgeMessagesAsync(name));
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => _admin.ResubmitDeadLetterMessagesAsync(name));
        var topic = await _admin.NewTopicAsync("t");
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => _admin.PurgeMessagesAsync(topic));
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => _admin.PurgeMessagesAsync(topic, "nope"));
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument, () => _admin.PurgeMessagesAsync("bad//name"));
    }

    /// <summary>Sends the messages and dead-letters each; returns their sequence numbers by MessageId.</summary>
    private async Task<Dictionary<string, long>> DeadLetterAsync(string queue, params string[] ids)
    {
        await using var sender = fixture.Client.CreateSender(queue);
        await using var receiver = fixture.Client.CreateReceiver(queue);
        await sender.SendMessagesAsync(ids.Select(Message));
        var numbers = new Dictionary<string, long>();
        foreach (var message in await ReceiveAtLeastAsync(receiver, ids.Length))
        {
            numbers[message.MessageId!] = message.SequenceNumber;
            await receiver.DeadLetterMessageAsync(message, "Test", "dead-lettered by the test");
        }

        Assert.Equal(ids.Length, numbers.Count);
        return numbers;
    }
}
