using System.Diagnostics;
using Loire.Client;
using Loire.Client.Administration;
using Loire.Grains;
using Loire.Tests.Infrastructure;
using Loire.Tests.Queues;
using Orleans.Core.Internal;
using static Loire.Tests.Queues.QueueTestKit;
using static Loire.Tests.Routing.RoutingTestKit;

namespace Loire.Tests.Routing;

[Collection(ClusterCollection.Name)]
public sealed class DuplicateDetectionTests(ClusterFixture fixture)
{
    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    [Fact]
    public async Task ResendWithinTheWindowIsAcknowledgedButStoredOnce()
    {
        var queue = await _admin.NewQueueAsync("q", o => o.RequiresDuplicateDetection = true);
        await using var sender = fixture.Client.CreateSender(queue);

        await sender.SendMessageAsync(Message("m-1"));
        await sender.SendMessageAsync(Message("m-1"));
        await sender.SendMessagesAsync([Message("m-1"), Message("m-2")]);

        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.TotalMessageCount == 2, Describe(properties));
        Assert.Equal(["m-1", "m-2"], Ids(await DrainAsync(fixture.Client, queue, 2)));

        // Completing the first copy does not make a resend new: the window counts from acceptance.
        await sender.SendMessageAsync(Message("m-1"));
        Assert.Equal(0, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }

    [Fact]
    public async Task ResendGetsTheFirstCopysSequenceNumber()
    {
        var queue = await _admin.NewQueueAsync("q", o => o.RequiresDuplicateDetection = true);
        await using var sender = fixture.Client.CreateSender(queue);
        var at = DateTimeOffset.UtcNow.AddMinutes(10);

        var first = await sender.ScheduleMessageAsync(Message("s-1"), at);
        var again = await sender.ScheduleMessageAsync(Message("s-1"), at);
        var batch = await sender.ScheduleMessagesAsync([Message("s-2"), Message("s-1"), Message("s-2")], at);

        Assert.Equal(first, again);
        Assert.Equal(first, batch[1]);
        Assert.Equal(batch[0], batch[2]);
        Assert.NotEqual(first, batch[0]);
        Assert.Equal(2, (await _admin.GetQueueRuntimePropertiesAsync(queue)).ScheduledMessageCount);
    }

    [Fact]
    public async Task ConcurrentResendsStoreOneCopyAndAllGetItsNumber()
    {
        var queue = await _admin.NewQueueAsync("q", o => o.RequiresDuplicateDetection = true);
        await using var sender = fixture.Client.CreateSender(queue);
        var at = DateTimeOffset.UtcNow.AddMinutes(10);

        var numbers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => sender.ScheduleMessageAsync(Message("same"), at)));

        Assert.Single(numbers.Distinct());
        Assert.Equal(1, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }

    [Fact]
    public async Task ConcurrentPublishesOfOneMessageIdReachEachSubscriptionOnce()
    {
        var topic = await _admin.NewTopicAsync("t", o => o.RequiresDuplicateDetection = true);
        await _admin.CreateSubscriptionAsync(topic, "s");
        await using var sender = fixture.Client.CreateSender(topic);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => sender.SendMessagesAsync([Message("same"), Message($"other-{i % 2}")])));

        Assert.Equal(["other-0", "other-1", "same"], Ids(await DrainAsync(fixture.Client, topic, "s", 3)));
    }

    [Fact]
    public async Task DuplicatesWithinOneBatchAreStoredOnce()
    {
        var queue = await _admin.NewQueueAsync("q", o => o.RequiresDuplicateDetection = true);
        await using var sender = fixture.Client.CreateSender(queue);

        await sender.SendMessagesAsync([Message("a"), Message("b"), Message("a"), Message("c"), Message("b")]);

        var received = await DrainAsync(fixture.Client, queue, 3);
        Assert.Equal(["a", "b", "c"], received.Select(m => m.MessageId));
    }

    [Fact]
    public async Task WithoutDuplicateDetectionEveryResendIsStored()
    {
        var queue = await _admin.NewQueueAsync("q");
        await using var sender = fixture.Client.CreateSender(queue);

        await sender.SendMessageAsync(Message("m"));
        await sender.SendMessagesAsync([Message("m"), Message("m")]);

        Assert.Equal(3, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }

    [Fact]
    public async Task ResendAfterTheWindowIsStoredAgain()
    {
        var window = TimeSpan.FromSeconds(2);
        var queue = await _admin.NewQueueAsync("q", o =>
        {
            o.RequiresDuplicateDetection = true;
            o.DuplicateDetectionHistoryTimeWindow = window;
        });
        await using var sender = fixture.Client.CreateSender(queue);
        var started = Stopwatch.StartNew();
        await sender.SendMessageAsync(Message("m"));

        // Resend until the broker takes it as new; every resend inside the window must be dropped.
        await Eventually.ValueAsync(async () =>
        {
            await sender.SendMessageAsync(Message("m"));
            return await _admin.GetQueueRuntimePropertiesAsync(queue);
        }, p => p.TotalMessageCount >= 2, "the resend after the window to be stored", Describe);

        Assert.True(started.Elapsed >= window - TimeSpan.FromMilliseconds(100), $"Accepted again after only {started.Elapsed}.");
        Assert.Equal(2, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }

    [Fact]
    public async Task TopicDropsDuplicatesBeforeFanOut()
    {
        var topic = await _admin.NewTopicAsync("t", o => o.RequiresDuplicateDetection = true);
        await _admin.CreateSubscriptionAsync(topic, "one");
        await _admin.CreateSubscriptionAsync(topic, "two");
        await using var sender = fixture.Client.CreateSender(topic);

        await sender.SendMessageAsync(Message("e-1"));
        await sender.SendMessageAsync(Message("e-1"));
        await sender.SendMessagesAsync([Message("e-2"), Message("e-1"), Message("e-2")]);

        Assert.Equal(["e-1", "e-2"], Ids(await DrainAsync(fixture.Client, topic, "one", 2)));
        Assert.Equal(["e-1", "e-2"], Ids(await DrainAsync(fixture.Client, topic, "two", 2)));
    }

    [Fact]
    public async Task TopicResendGetsTheFirstCopysSequenceNumber()
    {
        var topic = await _admin.NewTopicAsync("t", o => o.RequiresDuplicateDetection = true);
        await _admin.CreateSubscriptionAsync(topic, "s");
        await using var sender = fixture.Client.CreateSender(topic);
        var at = DateTimeOffset.UtcNow.AddMinutes(10);

        var first = await sender.ScheduleMessageAsync(Message("e"), at);
        var again = await sender.ScheduleMessageAsync(Message("e"), at);

        Assert.Equal(first, again);
        Assert.Equal(1, (await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "s")).ScheduledMessageCount);
    }

    [Fact]
    public async Task HistorySurvivesDeactivationOfTheQueueGrain()
    {
        var queue = await _admin.NewQueueAsync("q", o => o.RequiresDuplicateDetection = true);
        await using var sender = fixture.Client.CreateSender(queue);
        await using var receiver = fixture.Client.CreateReceiver(queue);
        await sender.SendMessageAsync(Message("m"));
        var locked = await receiver.ReceiveMessageAsync(Patience);
        Assert.NotNull(locked);

        await DeactivateAsync(fixture.Cluster.Client.GetGrain<IQueueGrain>(queue));

        // Locks live in memory only: the message being receivable again proves a new activation loaded the queue.
        var again = await receiver.ReceiveMessageAsync(Patience);
        Assert.NotNull(again);
        Assert.Equal(locked.SequenceNumber, again.SequenceNumber);
        await sender.SendMessageAsync(Message("m"));
        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.TotalMessageCount == 1, Describe(properties));
    }

    [Fact]
    public async Task TopicHistorySurvivesDeactivationOfTheTopicGrain()
    {
        var topic = await _admin.NewTopicAsync("t", o => o.RequiresDuplicateDetection = true);
        await _admin.CreateSubscriptionAsync(topic, "s");
        await using var sender = fixture.Client.CreateSender(topic);
        await sender.SendMessageAsync(Message("e"));

        await DeactivateAsync(fixture.Cluster.Client.GetGrain<ITopicGrain>(topic));
        await sender.SendMessageAsync(Message("e"));
        await sender.SendMessageAsync(Message("f"));

        Assert.Equal(["e", "f"], Ids(await DrainAsync(fixture.Client, topic, "s", 2)));
    }

    [Fact]
    public async Task DeletingTheQueueDeletesItsHistory()
    {
        var options = new CreateQueueOptions(NewName()) { RequiresDuplicateDetection = true };
        await _admin.CreateQueueAsync(options);
        await using var sender = fixture.Client.CreateSender(options.Name);
        await sender.SendMessageAsync(Message("m"));

        await _admin.DeleteQueueAsync(options.Name);
        await _admin.CreateQueueAsync(options);
        await sender.SendMessageAsync(Message("m"));

        Assert.Equal(1, (await _admin.GetQueueRuntimePropertiesAsync(options.Name)).TotalMessageCount);
    }

    [Fact]
    public async Task DeletingTheTopicDeletesItsHistory()
    {
        var options = new CreateTopicOptions(NewName("t")) { RequiresDuplicateDetection = true };
        await _admin.CreateTopicAsync(options);
        await using var sender = fixture.Client.CreateSender(options.Name);
        await sender.SendMessageAsync(Message("e"));

        await _admin.DeleteTopicAsync(options.Name);
        await _admin.CreateTopicAsync(options);
        await _admin.CreateSubscriptionAsync(options.Name, "s");
        await sender.SendMessageAsync(Message("e"));

        Assert.Equal(["e"], Ids(await DrainAsync(fixture.Client, options.Name, "s", 1)));
    }

    [Fact]
    public async Task DuplicateDetectionIsRefusedOnSubscriptionsAndOverlongWindows()
    {
        var topic = await _admin.NewTopicAsync("t");
        var subscriptionOptions = new Loire.Entities.EntityOptions { RequiresDuplicateDetection = true };

        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument,
            () => fixture.Cluster.Client.GetGrain<ITopicGrain>(topic).CreateSubscriptionAsync("s", subscriptionOptions, null));
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument, () => _admin.CreateQueueAsync(new CreateQueueOptions(NewName())
        {
            RequiresDuplicateDetection = true,
            DuplicateDetectionHistoryTimeWindow = TimeSpan.FromDays(8),
        }));
        Assert.False(await _admin.SubscriptionExistsAsync(topic, "s"));
    }

    private static async Task DeactivateAsync(IAddressable grain) =>
        await grain.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
}
