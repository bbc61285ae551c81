using System.Collections.Concurrent;
using Loire.Client;
using Loire.Client.Administration;
using Loire.Partitions;
using Loire.Tests.Infrastructure;
using Loire.Tests.Topics;
using static Loire.Tests.Queues.QueueTestKit;

namespace Loire.Tests.Partitions;

/// <summary>Partitioned topics and their subscriptions end to end through the public client.</summary>
[Collection(ClusterCollection.Name)]
public sealed class PartitionedTopicTests(ClusterFixture fixture)
{
    private const int Partitions = 4;
    private readonly LoireClient _client = fixture.Client;
    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    [Fact]
    public async Task EverySubscriptionGetsWhatItsRulesMatchFromEveryPartitionInOrderPerKey()
    {
        var topic = TopicTestKit.NewTopicName("partitioned");
        await _admin.CreateTopicAsync(new CreateTopicOptions(topic) { PartitionCount = Partitions });
        await _admin.CreateSubscriptionAsync(topic, "all");
        await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "high"),
            new CreateRuleOptions("high", new SqlRuleFilter("priority = 'high'")));

        var keys = Enumerable.Range(0, 8).Select(k => $"key-{k}").ToArray();
        await using var sender = _client.CreateSender(topic);
        for (var i = 0; i < 6; i++)
        {
            foreach (var key in keys)
            {
                await sender.SendMessageAsync(new LoireMessage($"{key}/{i}")
                {
                    PartitionKey = key,
                    ApplicationProperties = { ["priority"] = i % 2 == 0 ? "high" : "low" },
                });
            }
        }

        var all = await TopicTestKit.DrainAsync(_client, topic, "all", keys.Length * 6);
        var high = await TopicTestKit.DrainAsync(_client, topic, "high", keys.Length * 3);

        Assert.Equal(keys.Length * 6, all.Count);
        Assert.Equal(keys.Length * 3, high.Count);
        Assert.All(high, m => Assert.Equal("high", m.ApplicationProperties["priority"]));
        foreach (var group in all.GroupBy(m => m.PartitionKey!))
        {
            Assert.Equal(Enumerable.Range(0, 6).Select(i => $"{group.Key}/{i}"), group.Select(m => m.Body.ToString()));
            var partition = MessagePartitioner.PartitionOf(group.Key, Partitions);
            Assert.All(group, m => Assert.Equal(partition, EntityPartitions.PartitionOfSequenceNumber(m.SequenceNumber)));
        }

        Assert.True(all.Select(m => EntityPartitions.PartitionOfSequenceNumber(m.SequenceNumber)).Distinct().Count() >= 2);

        // One message, one sequence number, in every subscription that got it.
        var highNumbers = high.Select(m => m.SequenceNumber).ToHashSet();
        Assert.Equal(highNumbers, all.Where(m => (string)m.ApplicationProperties["priority"] == "high").Select(m => m.SequenceNumber).ToHashSet());
        await TopicTestKit.EventuallyAsync(() => _admin.GetSubscriptionRuntimePropertiesAsync(topic, "all"),
            p => p.TotalMessageCount == 0, "subscription drained");
    }

    [Fact]
    public async Task RuleChangesAndNewSubscriptionsReachEveryPartition()
    {
        var topic = TopicTestKit.NewTopicName("partitioned-rules");
        await _admin.CreateTopicAsync(new CreateTopicOptions(topic) { PartitionCount = Partitions });
        await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "picky"),
            new CreateRuleOptions("none", new SqlRuleFilter("1 = 0")));
        await using var sender = _client.CreateSender(topic);
        await sender.SendMessagesAsync(Enumerable.Range(0, 8).Select(i => Message($"before-{i}")));

        await _admin.CreateRuleAsync(topic, "picky", new CreateRuleOptions("everything", new TrueRuleFilter()));
        await _admin.CreateSubscriptionAsync(topic, "late");
        for (var i = 0; i < 8; i++)
        {
            await sender.SendMessageAsync(Message($"after-{i}"));
        }

        foreach (var subscription in new[] { "picky", "late" })
        {
            var ids = await TopicTestKit.DrainIdsAsync(_client, topic, subscription, 8);
            Assert.Equal(Enumerable.Range(0, 8).Select(i => $"after-{i}").Order(), ids.Order());
        }
    }

    [Fact]
    public async Task ProcessorsSessionsAndScheduledCancelWorkOnPartitionedSubscriptions()
    {
        var topic = TopicTestKit.NewTopicName("partitioned-sessions");
        await _admin.CreateTopicAsync(new CreateTopicOptions(topic) { PartitionCount = Partitions });
        await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "sessions") { RequiresSession = true });
        await using var sender = _client.CreateSender(topic);
        var sessions = Enumerable.Range(0, 5).Select(s => $"s{s}").ToArray();
        for (var i = 0; i < 4; i++)
        {
            foreach (var session in sessions)
            {
                await sender.SendMessageAsync(new LoireMessage($"{session}/{i}") { SessionId = session });
            }
        }

        var scheduled = await sender.ScheduleMessagesAsync([new LoireMessage("later") { SessionId = "s0" }], DateTimeOffset.UtcNow.AddMinutes(5));
        await TopicTestKit.EventuallyAsync(() => _admin.GetSubscriptionRuntimePropertiesAsync(topic, "sessions"),
            p => p.ScheduledMessageCount == 1, "one scheduled");
        await sender.CancelScheduledMessagesAsync(scheduled);

        var seen = new HashSet<string>();
        while (seen.Count < sessions.Length)
        {
            await using var receiver = await _client.AcceptNextSessionAsync(topic, "sessions", new LoireSessionReceiverOptions { MaxWaitTime = Patience });
            Assert.True(seen.Add(receiver.SessionId));
            var messages = await ReceiveAtLeastAsync(receiver, 4);
            Assert.Equal(Enumerable.Range(0, 4).Select(i => $"{receiver.SessionId}/{i}"), messages.Select(m => m.Body.ToString()));
            await receiver.CompleteMessagesAsync(messages);
        }

        await TopicTestKit.EventuallyAsync(() => _admin.GetSubscriptionRuntimePropertiesAsync(topic, "sessions"),
            p => p.TotalMessageCount == 0, "sessions drained, scheduled one cancelled");

        // Every partition must forget the session subscription, or it would refuse these sessionless messages.
        await _admin.DeleteSubscriptionAsync(topic, "sessions");
        await _admin.CreateSubscriptionAsync(topic, "work");
        var ids = Enumerable.Range(0, 40).Select(i => $"w{i}").ToArray();
        foreach (var id in ids)
        {
            await sender.SendMessageAsync(Message(id));
        }

        var handled = new ConcurrentDictionary<string, int>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var processor = _client.CreateProcessor(topic, "work", new LoireProcessorOptions { MaxConcurrentCalls = 2 });
        processor.ProcessMessageAsync += args =>
        {
            handled.AddOrUpdate(args.Message.MessageId!, 1, (_, n) => n + 1);
            if (handled.Count == ids.Length)
            {
                done.TrySetResult();
            }

            return Task.CompletedTask;
        };
        processor.ProcessErrorAsync += _ => Task.CompletedTask;
        await processor.StartProcessingAsync();
        await done.Task.WaitAsync(Patience * 3);
        await processor.StopProcessingAsync();
        Assert.Equal(ids.Order(), handled.Keys.Order());
        Assert.All(handled.Values, n => Assert.Equal(1, n));
    }

    [Fact]
    public async Task DeletingAPartitionedTopicDeletesEveryPartitionOfItsSubscriptions()
    {
        var topic = TopicTestKit.NewTopicName("partitioned-delete");
        await _admin.CreateTopicAsync(new CreateTopicOptions(topic) { PartitionCount = Partitions });
        await _admin.CreateSubscriptionAsync(topic, "sub");
        await using (var sender = _client.CreateSender(topic))
        {
            for (var i = 0; i < 8; i++)
            {
                await sender.SendMessageAsync(Message($"m{i}"));
            }
        }

        await _admin.DeleteTopicAsync(topic);
        await _admin.CreateTopicAsync(new CreateTopicOptions(topic) { PartitionCount = Partitions });
        await _admin.CreateSubscriptionAsync(topic, "sub");

        Assert.Equal(0, (await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "sub")).TotalMessageCount);
        Assert.Equal(["sub"], (await _admin.GetSubscriptionsAsync(topic).ToListAsync()).Select(s => s.SubscriptionName));
    }

    [Fact]
    public async Task ABatchSpanningPartitionsIsRefusedByATopicAndNothingIsDelivered()
    {
        var topic = TopicTestKit.NewTopicName("partitioned-bad");
        await _admin.CreateTopicAsync(new CreateTopicOptions(topic) { PartitionCount = Partitions });
        await _admin.CreateSubscriptionAsync(topic, "sub");
        var (first, second) = PartitionedQueueTests.TwoKeysInDifferentPartitions();
        await using var sender = _client.CreateSender(topic);
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument, () => sender.SendMessagesAsync(
            [new LoireMessage("1") { PartitionKey = first }, new LoireMessage("2") { PartitionKey = second }]));
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument,
            () => _admin.CreateTopicAsync(new CreateTopicOptions(TopicTestKit.NewTopicName("too-many")) { PartitionCount = 33 }));
        Assert.Equal(0, (await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "sub")).TotalMessageCount);
    }
}
