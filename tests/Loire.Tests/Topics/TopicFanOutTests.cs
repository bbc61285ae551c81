using Loire.Client;
using Loire.Client.Administration;
using Loire.Tests.Infrastructure;
using static Loire.Tests.Topics.TopicTestKit;

namespace Loire.Tests.Topics;

[Collection(ClusterCollection.Name)]
public sealed class TopicFanOutTests(ClusterFixture fixture)
{
    private readonly LoireClient _client = fixture.Client;
    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    [Fact]
    public async Task APublishReachesEverySubscriptionWhoseRuleMatchesAndNoOther()
    {
        var topic = await _admin.CreateFreshTopicAsync("fanout-match");
        await _admin.CreateSubscriptionAsync(topic, "all");
        await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "high"), new CreateRuleOptions("high", new SqlRuleFilter("priority = 'high'")));
        await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "low"), new CreateRuleOptions("low", new SqlRuleFilter("priority = 'low'")));
        await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "never"), new CreateRuleOptions("never", new FalseRuleFilter()));
        await using var sender = _client.CreateSender(topic);

        await sender.SendMessageAsync(Message("m-high", ("priority", "high")));
        await sender.SendMessageAsync(Message("m-low", ("priority", "low")));
        await sender.SendMessageAsync(Message("m-none"));

        Assert.Equal(["m-high", "m-low", "m-none"], await DrainIdsAsync(_client, topic, "all", 3));
        Assert.Equal(["m-high"], await DrainIdsAsync(_client, topic, "high", 1));
        Assert.Equal(["m-low"], await DrainIdsAsync(_client, topic, "low", 1));
        Assert.Empty(await DrainIdsAsync(_client, topic, "never", 0));
    }

    [Fact]
    public async Task ASubscriptionCreatedWithoutARuleGetsTheDefaultRuleWhichMatchesEveryMessage()
    {
        var topic = await _admin.CreateFreshTopicAsync("fanout-default-rule");
        await _admin.CreateSubscriptionAsync(topic, "everything");

        var rules = await _admin.GetRulesAsync(topic, "everything").ToListAsync();
        var rule = Assert.Single(rules);
        Assert.Equal(RuleProperties.DefaultRuleName, rule.Name);
        Assert.IsType<TrueRuleFilter>(rule.Filter);

        await using var sender = _client.CreateSender(topic);
        await sender.SendMessagesAsync(
        [
            Message("plain"),
            Message("with-props", ("priority", "high"), ("amount", 5)),
            new LoireMessage("x") { MessageId = "with-system", Subject = "s", CorrelationId = "c", ContentType = "text/plain" },
        ]);

        Assert.Equal(["plain", "with-props", "with-system"], await DrainIdsAsync(_client, topic, "everything", 3));
    }

    [Fact]
    public async Task EachSubscriptionReceivesItsOwnCopyWithTheBodyAndPropertiesAsSent()
    {
        var topic = await _admin.CreateFreshTopicAsync("fanout-copy");
        await _admin.CreateSubscriptionAsync(topic, "a");
        await _admin.CreateSubscriptionAsync(topic, "b");
        await using var sender = _client.CreateSender(topic);
        var sent = new LoireMessage("payload")
        {
            MessageId = "m-1",
            Subject = "order.created",
            CorrelationId = "c-1",
            ContentType = "application/json",
            ReplyTo = "replies",
            ApplicationProperties = { ["priority"] = "high", ["amount"] = 150, ["ratio"] = 0.5, ["vip"] = true },
        };

        await sender.SendMessageAsync(sent);

        foreach (var subscription in new[] { "a", "b" })
        {
            await using var receiver = _client.CreateReceiver(topic, subscription);
            var received = await receiver.ReceiveMessageAsync(ArrivalTimeout);
            Assert.NotNull(received);
            Assert.Equal("payload", received.Body.ToString());
            Assert.Equal("m-1", received.MessageId);
            Assert.Equal("order.created", received.Subject);
            Assert.Equal("c-1", received.CorrelationId);
            Assert.Equal("application/json", received.ContentType);
            Assert.Equal("replies", received.ReplyTo);
            Assert.Equal("high", received.ApplicationProperties["priority"]);
            Assert.Equal(150, received.ApplicationProperties["amount"]);
            Assert.Equal(0.5, received.ApplicationProperties["ratio"]);
            Assert.Equal(true, received.ApplicationProperties["vip"]);
            Assert.Equal(1, received.DeliveryCount);
            await receiver.CompleteMessageAsync(received);
        }
    }

    [Fact]
    public async Task FiftyMessagesReachEachOfThreeSubscriptionsWhichAreConsumedIndependently()
    {
        const int count = 50;
        var topic = await _admin.CreateFreshTopicAsync("fanout-3x50");
        await _admin.CreateSubscriptionAsync(topic, "one");
        await _admin.CreateSubscriptionAsync(topic, "two");
        await _admin.CreateSubscriptionAsync(topic, "three");
        var ids = Enumerable.Range(0, count).Select(i => $"m-{i:D2}").ToArray();
        await using var sender = _client.CreateSender(topic);

        // Half in one batch, half one by one.
        await sender.SendMessagesAsync(ids.Take(count / 2).Select(id => Message(id)));
        foreach (var id in ids.Skip(count / 2))
        {
            await sender.SendMessageAsync(Message(id));
        }

        foreach (var subscription in new[] { "one", "two", "three" })
        {
            Assert.Equal(count, (await _admin.GetSubscriptionRuntimePropertiesAsync(topic, subscription)).ActiveMessageCount);
        }

        // Consume "one" completely, in order.
        await using (var one = _client.CreateReceiver(topic, "one"))
        {
            var received = await ReceiveAtLeastAsync(one, count);
            Assert.Equal(ids, received.Select(m => m.MessageId));
            await one.CompleteMessagesAsync(received);
        }

        Assert.Equal(0, (await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "one")).TotalMessageCount);
        Assert.Equal(count, (await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "two")).ActiveMessageCount);
        Assert.Equal(count, (await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "three")).ActiveMessageCount);

        // Lock everything in "two" and abandon it: "three" still sees its messages as first deliveries.
        await using (var two = _client.CreateReceiver(topic, "two"))
        {
            var locked = await ReceiveAtLeastAsync(two, count);
            Assert.Equal(count, locked.Count);
            foreach (var message in locked)
            {
                await two.AbandonMessageAsync(message);
            }

            var again = await ReceiveAtLeastAsync(two, count);
            Assert.Equal(ids, again.Select(m => m.MessageId).Order(StringComparer.Ordinal));
            Assert.All(again, m => Assert.Equal(2, m.DeliveryCount));
            await two.CompleteMessagesAsync(again);
        }

        await using (var three = _client.CreateReceiver(topic, "three"))
        {
            var received = await ReceiveAtLeastAsync(three, count);
            Assert.Equal(ids, received.Select(m => m.MessageId));
            Assert.All(received, m => Assert.Equal(1, m.DeliveryCount));
            await three.CompleteMessagesAsync(received);
        }

        foreach (var subscription in new[] { "one", "two", "three" })
        {
            Assert.Equal(0, (await _admin.GetSubscriptionRuntimePropertiesAsync(topic, subscription)).TotalMessageCount);
        }
    }

    [Fact]
    public async Task CompletingAMessageInOneSubscriptionLeavesItInTheOthers()
    {
        var topic = await _admin.CreateFreshTopicAsync("fanout-independent");
        await _admin.CreateSubscriptionAsync(topic, "a");
        await _admin.CreateSubscriptionAsync(topic, "b");
        await using var sender = _client.CreateSender(topic);
        await sender.SendMessageAsync(Message("m-1"));

        await using var a = _client.CreateReceiver(topic, "a");
        var fromA = await a.ReceiveMessageAsync(ArrivalTimeout);
        Assert.NotNull(fromA);
        await a.CompleteMessageAsync(fromA);

        Assert.Equal(0, (await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "a")).TotalMessageCount);
        Assert.Equal(1, (await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "b")).ActiveMessageCount);
        await using var b = _client.CreateReceiver(topic, "b");
        var fromB = await b.ReceiveMessageAsync(ArrivalTimeout);
        Assert.NotNull(fromB);
        Assert.Equal("m-1", fromB.MessageId);
        Assert.Equal(1, fromB.DeliveryCount);
        Assert.Null(await a.ReceiveMessageAsync(TimeSpan.Zero));
    }
    [Fact]
    public async Task ConcurrentPublishersReachEverySubscriptionWithEachMessageExactlyOnce()
    {
        const int publishers = 4;
        const int perPublisher = 25;
        var topic = await _admin.CreateFreshTopicAsync("fanout-concurrent");
        await _admin.CreateSubscriptionAsync(topic, "a");
        await _admin.CreateSubscriptionAsync(topic, "b");
        await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "even"), new CreateRuleOptions("even", new SqlRuleFilter("n % 2 = 0")));

        await Task.WhenAll(Enumerable.Range(0, publishers).Select(async p =>
        {
            await using var sender = _client.CreateSender(topic);
            for (var i = 0; i < perPublisher; i++)
            {
                var n = p * perPublisher + i;
                await sender.SendMessageAsync(Message($"m-{n:D3}", ("n", n)));
            }
        }));

        var all = Enumerable.Range(0, publishers * perPublisher).Select(n => $"m-{n:D3}").ToArray();
        Assert.Equal(all, await DrainIdsAsync(_client, topic, "a", all.Length));
        Assert.Equal(all, await DrainIdsAsync(_client, topic, "b", all.Length));
        var even = Enumerable.Range(0, publishers * perPublisher).Where(n => n % 2 == 0).Select(n => $"m-{n:D3}").ToArray();
        Assert.Equal(even, await DrainIdsAsync(_client, topic, "even", even.Length));
    }

    [Fact]
    public async Task AMessageScheduledOnATopicAppearsInItsMatchingSubscriptionsOnlyAtItsTime()
    {
        var topic = await _admin.CreateFreshTopicAsync("fanout-scheduled");
        await _admin.CreateSubscriptionAsync(topic, "all");
        await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "high"), new CreateRuleOptions("high", new SqlRuleFilter("priority = 'high'")));
        await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "low"), new CreateRuleOptions("low", new SqlRuleFilter("priority = 'low'")));
        await using var sender = _client.CreateSender(topic);
        var visibleAt = DateTimeOffset.UtcNow.AddSeconds(1);

        await sender.ScheduleMessageAsync(Message("later", ("priority", "high")), visibleAt);

        await using var all = _client.CreateReceiver(topic, "all");
        Assert.Null(await all.ReceiveMessageAsync(TimeSpan.Zero));
        Assert.Equal(1, (await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "high")).TotalMessageCount);
        Assert.Equal(0, (await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "low")).TotalMessageCount);

        var fromAll = await all.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(fromAll);
        Assert.Equal("later", fromAll.MessageId);
        Assert.True(DateTimeOffset.UtcNow >= visibleAt.AddMilliseconds(-50), "The scheduled message became visible before its time.");
        await all.CompleteMessageAsync(fromAll);
        Assert.Equal(["later"], await DrainIdsAsync(_client, topic, "high", 1));
        Assert.Empty(await DrainIdsAsync(_client, topic, "low", 0));
    }

    [Fact]
    public async Task CancellingAMessageScheduledOnATopicRemovesItFromEverySubscription()
    {
        var topic = await _admin.CreateFreshTopicAsync("fanout-cancel-scheduled");
        await _admin.CreateSubscriptionAsync(topic, "a");
        await _admin.CreateSubscriptionAsync(topic, "b");
        await using var sender = _client.CreateSender(topic);
        var kept = await sender.ScheduleMessageAsync(Message("kept"), DateTimeOffset.UtcNow.AddMinutes(5));
        var cancelled = await sender.ScheduleMessageAsync(Message("cancelled"), DateTimeOffset.UtcNow.AddMinutes(5));

        await sender.CancelScheduledMessageAsync(cancelled);

        Assert.NotEqual(kept, cancelled);
        foreach (var subscription in new[] { "a", "b" })
        {
            Assert.Equal(1, (await _admin.GetSubscriptionRuntimePropertiesAsync(topic, subscription)).ScheduledMessageCount);
            await using var receiver = _client.CreateReceiver(topic, subscription);
            var peeked = await receiver.PeekMessagesAsync(10);
            Assert.Equal(["kept"], peeked.Select(m => m.MessageId));
            Assert.Equal(kept, peeked[0].SequenceNumber);
        }
    }

    [Fact]
    public async Task APublishThatWouldPassTheTopicsMaximumSizeIsRefusedWithQuotaExceeded()
    {
        var topic = NewTopicName("fanout-quota");
        await _admin.CreateTopicAsync(new CreateTopicOptions(topic) { MaxSizeInMegabytes = 1 });
        await _admin.CreateSubscriptionAsync(topic, "s");
        await using var sender = _client.CreateSender(topic);
        var body = new byte[200 * 1024];

        // Five 200 KiB messages fit in 1 MiB; the sixth does not.
        for (var i = 0; i < 5; i++)
        {
            await sender.SendMessageAsync(new LoireMessage(body) { MessageId = $"m-{i}" });
        }

        await ThrowsLoireAsync(LoireErrorReason.QuotaExceeded, () => sender.SendMessageAsync(new LoireMessage(body) { MessageId = "m-5" }));
        Assert.Equal(5, (await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "s")).ActiveMessageCount);

        // Consuming makes room again.
        await using var receiver = _client.CreateReceiver(topic, "s");
        var first = await receiver.ReceiveMessageAsync(ArrivalTimeout);
        Assert.NotNull(first);
        await receiver.CompleteMessageAsync(first);
        await sender.SendMessageAsync(new LoireMessage(body) { MessageId = "m-5" });
    }

    [Fact]
    public async Task AMessageLargerThanTheTopicAllowsIsRefusedWithMessageSizeExceededAndReachesNoSubscription()
    {
        var topic = NewTopicName("fanout-too-big");
        await _admin.CreateTopicAsync(new CreateTopicOptions(topic) { MaxMessageSizeInKilobytes = 1 });
        await _admin.CreateSubscriptionAsync(topic, "s");
        await using var sender = _client.CreateSender(topic);

        await ThrowsLoireAsync(LoireErrorReason.MessageSizeExceeded,
            () => sender.SendMessagesAsync([Message("small"), new LoireMessage(new byte[2048]) { MessageId = "big" }]));

        Assert.Equal(0, (await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "s")).TotalMessageCount);
        await sender.SendMessageAsync(Message("small"));
        Assert.Equal(["small"], await DrainIdsAsync(_client, topic, "s", 1));
    }
}
