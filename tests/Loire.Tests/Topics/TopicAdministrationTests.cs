using Loire.Client;
using Loire.Client.Administration;
using Loire.Tests.Infrastructure;
using static Loire.Tests.Topics.TopicTestKit;

namespace Loire.Tests.Topics;

[Collection(ClusterCollection.Name)]
public sealed class TopicAdministrationTests(ClusterFixture fixture)
{
    private readonly LoireClient _client = fixture.Client;
    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    [Fact]
    public async Task ACreatedTopicExistsCanBeReadAndIsGoneAfterItIsDeleted()
    {
        var name = NewTopicName("admin-lifecycle");
        Assert.False(await _admin.TopicExistsAsync(name));

        var created = await _admin.CreateTopicAsync(new CreateTopicOptions(name) { DefaultMessageTimeToLive = TimeSpan.FromHours(2) });

        Assert.Equal(name, created.Name);
        Assert.Equal(TimeSpan.FromHours(2), created.DefaultMessageTimeToLive);
        Assert.True(await _admin.TopicExistsAsync(name));
        Assert.False(await _admin.QueueExistsAsync(name));
        var read = await _admin.GetTopicAsync(name);
        Assert.Equal(name, read.Name);
        Assert.Equal(TimeSpan.FromHours(2), read.DefaultMessageTimeToLive);

        await _admin.DeleteTopicAsync(name);

        Assert.False(await _admin.TopicExistsAsync(name));
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => _admin.GetTopicAsync(name));
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => _admin.DeleteTopicAsync(name));
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => _admin.GetTopicRuntimePropertiesAsync(name));
    }

    [Fact]
    public async Task ListingTopicsReturnsEveryTopicButNoQueueAndNotDeletedTopics()
    {
        var names = new[] { NewTopicName("admin-list-a"), NewTopicName("admin-list-b"), NewTopicName("admin-list-c") };
        foreach (var name in names)
        {
            await _admin.CreateTopicAsync(name);
        }

        var queue = "topics-admin-list-queue-" + Guid.NewGuid().ToString("N")[..8];
        await _admin.CreateQueueAsync(queue);
        await _admin.DeleteTopicAsync(names[2]);

        var listed = (await _admin.GetTopicsAsync().ToListAsync()).Select(t => t.Name).ToList();

        Assert.Contains(names[0], listed);
        Assert.Contains(names[1], listed);
        Assert.DoesNotContain(names[2], listed);
        Assert.DoesNotContain(queue, listed);
        Assert.Equal(listed.Order(StringComparer.Ordinal), listed);
    }

    [Fact]
    public async Task CreatingATopicThatAlreadyExistsFailsWithMessagingEntityAlreadyExists()
    {
        var name = await _admin.CreateFreshTopicAsync("admin-duplicate");
        await _admin.CreateSubscriptionAsync(name, "keep");

        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityAlreadyExists, () => _admin.CreateTopicAsync(name));

        // The failed create changed nothing: the original topic and its subscription are intact.
        Assert.True(await _admin.TopicExistsAsync(name));
        Assert.Equal(["keep"], (await _admin.GetSubscriptionsAsync(name).ToListAsync()).Select(s => s.SubscriptionName));
    }

    [Fact]
    public async Task CreatingATopicWithTheNameOfAQueueFailsWithMessagingEntityAlreadyExists()
    {
        var name = "topics-admin-queue-name-" + Guid.NewGuid().ToString("N")[..8];
        await _admin.CreateQueueAsync(name);

        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityAlreadyExists, () => _admin.CreateTopicAsync(name));

        Assert.True(await _admin.QueueExistsAsync(name));
        Assert.False(await _admin.TopicExistsAsync(name));
    }

    [Fact]
    public async Task CreatingATopicWithTheNameOfAQueueThatWasAlreadyTouchedAsATopicStillFails()
    {
        // The topic grain for this path is activated (by asking for its runtime properties) before the queue exists,
        // so it cannot rely on what it read when it was activated.
        var name = "topics-admin-queue-late-" + Guid.NewGuid().ToString("N")[..8];
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => _admin.GetTopicRuntimePropertiesAsync(name));
        await _admin.CreateQueueAsync(name);

        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityAlreadyExists, () => _admin.CreateTopicAsync(name));

        Assert.True(await _admin.QueueExistsAsync(name));
        Assert.False(await _admin.TopicExistsAsync(name));
    }

    [Fact]
    public async Task CreatingAQueueWithTheNameOfATopicFailsWithMessagingEntityAlreadyExists()
    {
        var name = await _admin.CreateFreshTopicAsync("admin-topic-name");

        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityAlreadyExists, () => _admin.CreateQueueAsync(name));

        Assert.True(await _admin.TopicExistsAsync(name));
        Assert.False(await _admin.QueueExistsAsync(name));
    }

    [Fact]
    public async Task SubscriptionsCanBeCreatedReadListedAndDeleted()
    {
        var topic = await _admin.CreateFreshTopicAsync("admin-subscriptions");

        var created = await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "billing")
        {
            LockDuration = TimeSpan.FromSeconds(45),
            MaxDeliveryCount = 3,
            DefaultMessageTimeToLive = TimeSpan.FromMinutes(10),
            DeadLetteringOnMessageExpiration = true,
        });
        await _admin.CreateSubscriptionAsync(topic, "audit");

        Assert.Equal(topic, created.TopicName);
        Assert.Equal("billing", created.SubscriptionName);
        Assert.Equal(TimeSpan.FromSeconds(45), created.LockDuration);
        Assert.Equal(3, created.MaxDeliveryCount);
        Assert.True(await _admin.SubscriptionExistsAsync(topic, "billing"));
        Assert.True(await _admin.SubscriptionExistsAsync(topic, "audit"));
        Assert.False(await _admin.SubscriptionExistsAsync(topic, "other"));

        var read = await _admin.GetSubscriptionAsync(topic, "billing");
        Assert.Equal(topic, read.TopicName);
        Assert.Equal("billing", read.SubscriptionName);
        Assert.Equal(TimeSpan.FromSeconds(45), read.LockDuration);
        Assert.Equal(3, read.MaxDeliveryCount);
        Assert.Equal(TimeSpan.FromMinutes(10), read.DefaultMessageTimeToLive);
        Assert.True(read.DeadLetteringOnMessageExpiration);

        var listed = await _admin.GetSubscriptionsAsync(topic).ToListAsync();
        Assert.Equal(["audit", "billing"], listed.Select(s => s.SubscriptionName));
        Assert.All(listed, s => Assert.Equal(topic, s.TopicName));

        await _admin.DeleteSubscriptionAsync(topic, "billing");

        Assert.False(await _admin.SubscriptionExistsAsync(topic, "billing"));
        Assert.Equal(["audit"], (await _admin.GetSubscriptionsAsync(topic).ToListAsync()).Select(s => s.SubscriptionName));
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => _admin.GetSubscriptionAsync(topic, "billing"));
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => _admin.DeleteSubscriptionAsync(topic, "billing"));
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => _admin.GetSubscriptionRuntimePropertiesAsync(topic, "billing"));
    }

    [Fact]
    public async Task ADeletedSubscriptionNoLongerReceivesPublishedMessagesAndCanBeRecreatedEmpty()
    {
        var topic = await _admin.CreateFreshTopicAsync("admin-sub-recreate");
        await _admin.CreateSubscriptionAsync(topic, "s");
        await using var sender = _client.CreateSender(topic);
        await sender.SendMessageAsync(Message("before-delete"));

        await _admin.DeleteSubscriptionAsync(topic, "s");
        await sender.SendMessageAsync(Message("while-deleted"));
        await _admin.CreateSubscriptionAsync(topic, "s");
        await sender.SendMessageAsync(Message("after-recreate"));

        Assert.Equal(["after-recreate"], await DrainIdsAsync(_client, topic, "s", 1));
    }

    [Fact]
    public async Task CreatingASubscriptionThatAlreadyExistsFailsWithMessagingEntityAlreadyExists()
    {
        var topic = await _admin.CreateFreshTopicAsync("admin-sub-duplicate");
        await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "s") { MaxDeliveryCount = 4 });

        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityAlreadyExists,
            () => _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "s") { MaxDeliveryCount = 7 }));
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityAlreadyExists,
            () => _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "s"), new CreateRuleOptions("other", new SqlRuleFilter("a = 1"))));

        // The first subscription is untouched: same settings, same (default) rule.
        Assert.Equal(4, (await _admin.GetSubscriptionAsync(topic, "s")).MaxDeliveryCount);
        var rules = await _admin.GetRulesAsync(topic, "s").ToListAsync();
        Assert.Equal([RuleProperties.DefaultRuleName], rules.Select(r => r.Name));
        Assert.Single(await _admin.GetSubscriptionsAsync(topic).ToListAsync());
    }

    [Fact]
    public async Task SubscriptionOperationsOnAnUnknownTopicFailWithMessagingEntityNotFound()
    {
        var topic = NewTopicName("admin-unknown");
        var rule = new CreateRuleOptions("r", new SqlRuleFilter("a = 1"));

        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => _admin.CreateSubscriptionAsync(topic, "s"));
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => _admin.GetSubscriptionAsync(topic, "s"));
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => _admin.DeleteSubscriptionAsync(topic, "s"));
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => _admin.GetSubscriptionsAsync(topic).ToListAsync());
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => _admin.GetSubscriptionRuntimePropertiesAsync(topic, "s"));
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => _admin.CreateRuleAsync(topic, "s", rule));
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => _admin.DeleteRuleAsync(topic, "s", "r"));
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => _admin.GetRulesAsync(topic, "s").ToListAsync());
        Assert.False(await _admin.SubscriptionExistsAsync(topic, "s"));
        Assert.False(await _admin.TopicExistsAsync(topic));
    }

    [Fact]
    public async Task SubscriptionOperationsOnAQueueFailWithMessagingEntityNotFoundAndLeaveTheQueueAlone()
    {
        var queue = "topics-admin-sub-on-queue-" + Guid.NewGuid().ToString("N")[..8];
        await _admin.CreateQueueAsync(queue);

        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => _admin.CreateSubscriptionAsync(queue, "s"));
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => _admin.GetSubscriptionsAsync(queue).ToListAsync());

        Assert.True(await _admin.QueueExistsAsync(queue));
        Assert.False(await _admin.SubscriptionExistsAsync(queue, "s"));
    }

    [Fact]
    public async Task OperationsOnAnUnknownSubscriptionOfAnExistingTopicFailWithMessagingEntityNotFound()
    {
        var topic = await _admin.CreateFreshTopicAsync("admin-unknown-sub");

        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => _admin.GetSubscriptionAsync(topic, "missing"));
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => _admin.DeleteSubscriptionAsync(topic, "missing"));
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => _admin.GetSubscriptionRuntimePropertiesAsync(topic, "missing"));
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound,
            () => _admin.CreateRuleAsync(topic, "missing", new CreateRuleOptions("r", new SqlRuleFilter("a = 1"))));
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => _admin.GetRulesAsync(topic, "missing").ToListAsync());
        await using var receiver = _client.CreateReceiver(topic, "missing");
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => receiver.ReceiveMessageAsync(TimeSpan.Zero));
    }

    public static TheoryData<string> InvalidSubscriptionNames =>
    [
        "",
        "   ",
        "a/b",
        "$sub",
        "-leading",
        "trailing-",
        "has space",
        "semi;colon",
        "ünïcode",
        new string('s', 51),
    ];

    [Theory]
    [MemberData(nameof(InvalidSubscriptionNames))]
    public async Task AnInvalidSubscriptionNameIsRefusedWithInvalidArgumentAndNothingIsCreated(string subscription)
    {
        var topic = await _admin.CreateFreshTopicAsync("admin-bad-sub-name");

        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument, () => _admin.CreateSubscriptionAsync(topic, subscription));
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument,
            () => _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, subscription), new CreateRuleOptions("r", new SqlRuleFilter("a = 1"))));
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument, () => _admin.GetSubscriptionAsync(topic, subscription));
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument, () => _admin.DeleteSubscriptionAsync(topic, subscription));
        ThrowsLoire(LoireErrorReason.InvalidArgument, () => _client.CreateReceiver(topic, subscription));

        Assert.Empty(await _admin.GetSubscriptionsAsync(topic).ToListAsync());
        Assert.Equal(0, (await _admin.GetTopicRuntimePropertiesAsync(topic)).SubscriptionCount);
    }

    [Fact]
    public async Task ASubscriptionNameOfFiftyCharactersIsAccepted()
    {
        var topic = await _admin.CreateFreshTopicAsync("admin-long-sub-name");
        var name = new string('s', 50);

        await _admin.CreateSubscriptionAsync(topic, name);

        Assert.True(await _admin.SubscriptionExistsAsync(topic, name));
    }

    [Fact]
    public async Task DeletingATopicDeletesItsSubscriptionsAndTheirMessages()
    {
        var topic = await _admin.CreateFreshTopicAsync("admin-cascade");
        await _admin.CreateSubscriptionAsync(topic, "a");
        await _admin.CreateSubscriptionAsync(topic, "b");
        await using (var sender = _client.CreateSender(topic))
        {
            await sender.SendMessageAsync(Message("m-1"));
        }

        Assert.Equal(1, (await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "a")).ActiveMessageCount);

        await _admin.DeleteTopicAsync(topic);

        Assert.False(await _admin.TopicExistsAsync(topic));
        Assert.False(await _admin.SubscriptionExistsAsync(topic, "a"));
        Assert.False(await _admin.SubscriptionExistsAsync(topic, "b"));
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => _admin.GetSubscriptionRuntimePropertiesAsync(topic, "a"));
        await using var receiver = _client.CreateReceiver(topic, "a");
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(1)));
        await using var deadLetters = _client.CreateReceiver(topic, "b", new LoireReceiverOptions { SubQueue = SubQueue.DeadLetter });
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => deadLetters.ReceiveMessageAsync(TimeSpan.Zero));
        await using var topicSender = _client.CreateSender(topic);
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => topicSender.SendMessageAsync(Message("m-2")));

        // A topic re-created under the same name starts without subscriptions, and a re-created subscription is empty.
        await _admin.CreateTopicAsync(topic);
        Assert.Empty(await _admin.GetSubscriptionsAsync(topic).ToListAsync());
        await _admin.CreateSubscriptionAsync(topic, "a");
        var properties = await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "a");
        Assert.Equal(0, properties.TotalMessageCount);
    }

    [Fact]
    public async Task ALongPollingSubscriptionReceiverFailsWithNotFoundWhenItsTopicIsDeleted()
    {
        var topic = await _admin.CreateFreshTopicAsync("admin-cascade-poll");
        await _admin.CreateSubscriptionAsync(topic, "s");
        await using var receiver = _client.CreateReceiver(topic, "s");
        var polling = receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(8));

        await _admin.DeleteTopicAsync(topic);

        var exception = await Assert.ThrowsAsync<LoireException>(() => polling.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(LoireErrorReason.MessagingEntityNotFound, exception.Reason);
    }

    [Fact]
    public async Task TopicRuntimePropertiesCountItsSubscriptions()
    {
        var topic = await _admin.CreateFreshTopicAsync("admin-topic-runtime");
        var empty = await _admin.GetTopicRuntimePropertiesAsync(topic);
        Assert.Equal(topic, empty.Name);
        Assert.Equal(0, empty.SubscriptionCount);

        await _admin.CreateSubscriptionAsync(topic, "a");
        await _admin.CreateSubscriptionAsync(topic, "b");
        await _admin.CreateSubscriptionAsync(topic, "c");
        Assert.Equal(3, (await _admin.GetTopicRuntimePropertiesAsync(topic)).SubscriptionCount);

        await _admin.DeleteSubscriptionAsync(topic, "b");
        Assert.Equal(2, (await _admin.GetTopicRuntimePropertiesAsync(topic)).SubscriptionCount);
    }

    [Fact]
    public async Task SubscriptionRuntimePropertiesCountActiveAndDeadLetteredMessages()
    {
        var topic = await _admin.CreateFreshTopicAsync("admin-sub-runtime");
        await _admin.CreateSubscriptionAsync(topic, "s");
        await _admin.CreateSubscriptionAsync(topic, "other");
        await using var sender = _client.CreateSender(topic);
        await sender.SendMessagesAsync([Message("m-1"), Message("m-2"), Message("m-3")]);

        var before = await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "s");
        Assert.Equal(topic, before.TopicName);
        Assert.Equal("s", before.SubscriptionName);
        Assert.Equal(3, before.ActiveMessageCount);
        Assert.Equal(0, before.DeadLetterMessageCount);
        Assert.Equal(3, before.TotalMessageCount);

        await using var receiver = _client.CreateReceiver(topic, "s");
        var first = await receiver.ReceiveMessageAsync(ArrivalTimeout);
        Assert.NotNull(first);
        await receiver.DeadLetterMessageAsync(first, "bad", "test");
        var second = await receiver.ReceiveMessageAsync(ArrivalTimeout);
        Assert.NotNull(second);
        await receiver.CompleteMessageAsync(second);

        var after = await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "s");
        Assert.Equal(1, after.ActiveMessageCount);
        Assert.Equal(1, after.DeadLetterMessageCount);
        Assert.Equal(2, after.TotalMessageCount);

        // The other subscription has its own copy and its own counts.
        var other = await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "other");
        Assert.Equal(3, other.ActiveMessageCount);
        Assert.Equal(0, other.DeadLetterMessageCount);
    }

    [Fact]
    public async Task PublishingToATopicWithoutSubscriptionsSucceedsAndStoresNothing()
    {
        var topic = await _admin.CreateFreshTopicAsync("admin-no-subs");
        await using var sender = _client.CreateSender(topic);

        await sender.SendMessageAsync(Message("lonely-1"));
        await sender.SendMessagesAsync([Message("lonely-2"), Message("lonely-3")]);

        var runtime = await _admin.GetTopicRuntimePropertiesAsync(topic);
        Assert.Equal(0, runtime.SubscriptionCount);
        Assert.Equal(0, runtime.SizeInBytes);
        Assert.Equal(0, runtime.ScheduledMessageCount);

        // Nothing was kept for subscribers that come later.
        await _admin.CreateSubscriptionAsync(topic, "late");
        Assert.Equal(0, (await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "late")).TotalMessageCount);
        await sender.SendMessageAsync(Message("seen"));
        Assert.Equal(["seen"], await DrainIdsAsync(_client, topic, "late", 1));
    }

    [Fact]
    public async Task SendingToASubscriptionPathIsRefusedWithInvalidArgument()
    {
        var topic = await _admin.CreateFreshTopicAsync("admin-send-to-sub");
        await _admin.CreateSubscriptionAsync(topic, "s");

        var exception = ThrowsLoire(LoireErrorReason.InvalidArgument, () => _client.CreateSender(topic + "/subscriptions/s"));
        Assert.Contains("subscriptions", exception.Message);
        ThrowsLoire(LoireErrorReason.InvalidArgument, () => _client.CreateSender(topic + "/subscriptions/s/$deadletterqueue"));

        Assert.Equal(0, (await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "s")).TotalMessageCount);
    }

    [Fact]
    public async Task ReceivingFromATopicPathFailsWithMessagingEntityNotFoundNamingTheTopic()
    {
        var topic = await _admin.CreateFreshTopicAsync("admin-receive-topic");
        await _admin.CreateSubscriptionAsync(topic, "s");
        await using (var sender = _client.CreateSender(topic))
        {
            await sender.SendMessageAsync(Message("m-1"));
        }

        await using var receiver = _client.CreateReceiver(topic);
        var exception = await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(1)));
        Assert.Contains(topic, exception.Message);
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => receiver.PeekMessagesAsync(10));

        // The subscription's message was not touched by the failed receive.
        Assert.Equal(1, (await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "s")).ActiveMessageCount);
        Assert.False(await _admin.QueueExistsAsync(topic));
    }
}
