using Loire.Client;
using Loire.Client.Administration;
using Loire.Tests.Infrastructure;
using static Loire.Tests.Queues.QueueTestKit;

namespace Loire.Tests.Queues;

[Collection(ClusterCollection.Name)]
public sealed class QueueErrorTests(ClusterFixture fixture)
{
    // The fixture's broker accepts messages of at most 256 KiB.
    private const int BrokerLimit = 256 * 1024;

    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    [Fact]
    public async Task OversizeMessageFailsWithMessageSizeExceededAndIsNotStored()
    {
        var queue = await _admin.CreateTestQueueAsync();
        await using var sender = fixture.Client.CreateSender(queue);

        await ThrowsLoireAsync(LoireErrorReason.MessageSizeExceeded,
            () => sender.SendMessageAsync(new LoireMessage(new byte[BrokerLimit + 1]) { MessageId = "big" }));

        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.TotalMessageCount == 0 && properties.SizeInBytes == 0, Describe(properties));
        // A message just under the limit is fine.
        await sender.SendMessageAsync(new LoireMessage(new byte[BrokerLimit - 1024]) { MessageId = "fits" });
        Assert.Equal(1, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }

    [Fact]
    public async Task MessageLargerThanTheQueueLimitFailsWithMessageSizeExceeded()
    {
        var queue = await _admin.CreateTestQueueAsync(o => o.MaxMessageSizeInKilobytes = 1);
        await using var sender = fixture.Client.CreateSender(queue);

        await ThrowsLoireAsync(LoireErrorReason.MessageSizeExceeded,
            () => sender.SendMessageAsync(new LoireMessage(new byte[2048]) { MessageId = "big" }));

        Assert.Equal(0, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }

    [Fact]
    public async Task BatchWithOneOversizeMessageStoresNothing()
    {
        var queue = await _admin.CreateTestQueueAsync();
        await using var sender = fixture.Client.CreateSender(queue);
        var batch = new[]
        {
            Message("a"),
            Message("b"),
            new LoireMessage(new byte[BrokerLimit + 1]) { MessageId = "big" },
            Message("c"),
        };

        await ThrowsLoireAsync(LoireErrorReason.MessageSizeExceeded, () => sender.SendMessagesAsync(batch));

        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.TotalMessageCount == 0 && properties.SizeInBytes == 0, Describe(properties));
        await using var receiver = fixture.Client.CreateReceiver(queue);
        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.Zero));
    }

    [Fact]
    public async Task SendingToAnUnknownQueueFailsWithNotFound()
    {
        await using var sender = fixture.Client.CreateSender(NewQueueName());

        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => sender.SendMessageAsync(Message("a")));
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => sender.SendMessagesAsync([Message("a"), Message("b")]));
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => sender.ScheduleMessageAsync(Message("a"), DateTimeOffset.UtcNow.AddMinutes(1)));
    }

    [Fact]
    public async Task ReceivingFromAnUnknownQueueFailsWithNotFound()
    {
        var name = NewQueueName();
        await using var receiver = fixture.Client.CreateReceiver(name);
        await using var deadLetters = fixture.Client.CreateReceiver(name, new LoireReceiverOptions { SubQueue = SubQueue.DeadLetter });

        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(1)));
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => receiver.ReceiveMessagesAsync(10, TimeSpan.Zero));
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => receiver.PeekMessagesAsync(10));
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => receiver.ReceiveDeferredMessageAsync(1));
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => deadLetters.ReceiveMessageAsync(TimeSpan.Zero));
        Assert.False(await _admin.QueueExistsAsync(name));
    }

    [Fact]
    public async Task SendingPastMaxMessageCountFailsWithQuotaExceededAndStoresExactlyTheLimit()
    {
        var queue = await _admin.CreateTestQueueAsync(o => o.MaxMessageCount = 5);
        await using var sender = fixture.Client.CreateSender(queue);
        for (var i = 0; i < 5; i++)
        {
            await sender.SendMessageAsync(Message($"m{i}"));
        }

        await ThrowsLoireAsync(LoireErrorReason.QuotaExceeded, () => sender.SendMessageAsync(Message("m5")));

        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.TotalMessageCount == 5, Describe(properties));

        // Room for one: a batch of two is refused as a whole, a single message fits.
        await using var receiver = fixture.Client.CreateReceiver(queue);
        var first = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        await receiver.CompleteMessageAsync(first!);
        await ThrowsLoireAsync(LoireErrorReason.QuotaExceeded, () => sender.SendMessagesAsync([Message("x"), Message("y")]));
        Assert.Equal(4, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
        await sender.SendMessageAsync(Message("m6"));
        Assert.Equal(5, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
        var all = await ReceiveAtLeastAsync(receiver, 5);
        Assert.Equal(["m1", "m2", "m3", "m4", "m6"], all.Select(m => m.MessageId));
    }

    [Fact]
    public async Task SendingPastMaxSizeFailsWithQuotaExceeded()
    {
        var queue = await _admin.CreateTestQueueAsync(o => o.MaxSizeInMegabytes = 1);
        await using var sender = fixture.Client.CreateSender(queue);
        // Five 200 KiB messages fit in 1 MiB; a sixth does not.
        for (var i = 0; i < 5; i++)
        {
            await sender.SendMessageAsync(new LoireMessage(new byte[200 * 1024]) { MessageId = $"m{i}" });
        }

        await ThrowsLoireAsync(LoireErrorReason.QuotaExceeded,
            () => sender.SendMessageAsync(new LoireMessage(new byte[200 * 1024]) { MessageId = "m5" }));

        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.TotalMessageCount == 5 && properties.SizeInBytes >= 5 * 200 * 1024, Describe(properties));
    }

    [Fact]
    public async Task InvalidMessagePropertiesAreRejectedAndNothingIsStored()
    {
        var queue = await _admin.CreateTestQueueAsync();
        await using var sender = fixture.Client.CreateSender(queue);

        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument,
            () => sender.SendMessageAsync(new LoireMessage("x") { TimeToLive = TimeSpan.Zero }));
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument,
            () => sender.SendMessageAsync(new LoireMessage("x") { MessageId = new string('i', 129) }));
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument,
            () => sender.SendMessageAsync(new LoireMessage("x") { ApplicationProperties = { ["bad"] = new object() } }));

        Assert.Equal(0, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }

    [Fact]
    public async Task TextThatUtf8CannotCarryIsRejectedAndNothingIsStored()
    {
        var queue = await _admin.CreateTestQueueAsync();
        await using var sender = fixture.Client.CreateSender(queue);

        // Found by the message fuzzer: a lone surrogate came back as U+FFFD, so the broker handed back another text.
        var subject = await ThrowsLoireAsync(LoireErrorReason.InvalidArgument,
            () => sender.SendMessageAsync(new LoireMessage("x") { Subject = "order\ud800" }));
        Assert.Contains("Subject", subject.Message);
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument,
            () => sender.SendMessageAsync(new LoireMessage("x") { ApplicationProperties = { ["key\udc00"] = 1 } }));
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument,
            () => sender.SendMessageAsync(new LoireMessage("x") { ApplicationProperties = { ["value"] = "\ud83d" } }));

        Assert.Equal(0, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
        // A well-formed pair (an emoji) is fine.
        await sender.SendMessageAsync(new LoireMessage("x") { Subject = "order \ud83d\ude00" });
        Assert.Equal(1, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }

    [Fact]
    public async Task AGrainCallerCannotStoreValuesTheClientWouldRefuse()
    {
        var queue = await _admin.CreateTestQueueAsync();
        var grain = fixture.Cluster.Client.GetGrain<Loire.Grains.IQueueGrain>(queue);

        // A caller that skips the client can send any serializable value; the broker checks as the client does.
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument, async () => await grain.SendAsync(
            [new Loire.Messages.OutgoingMessage { ApplicationProperties = new() { ["list"] = new List<int> { 1 } } }]));
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument, async () => await grain.SendAsync(
            [new Loire.Messages.OutgoingMessage { ApplicationProperties = new() { [""] = 1 } }]));
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument, async () => await grain.SendAsync(
            [new Loire.Messages.OutgoingMessage { ApplicationProperties = new() { ["c"] = '\ud800' } }]));

        Assert.Equal(0, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }

    [Fact]
    public async Task ADescriptionOfAnotherPathCreatesNothing()
    {
        var queue = NewQueueName();
        var grain = fixture.Cluster.Client.GetGrain<Loire.Grains.IQueueGrain>(queue);
        var now = DateTimeOffset.UtcNow;

        // Found by the entity fuzzer: the grain used to create itself from a description naming another path.
        var error = await ThrowsLoireAsync(LoireErrorReason.InvalidArgument, () => grain.CreateAsync(
            new Loire.Entities.EntityDescription(queue + "-other", Loire.Entities.EntityKind.Queue, new Loire.Entities.EntityOptions(), now, now)));
        Assert.Contains("holds", error.Message);
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument, () => grain.CreateAsync(
            new Loire.Entities.EntityDescription(queue, Loire.Entities.EntityKind.Subscription, new Loire.Entities.EntityOptions(), now, now)));

        Assert.False(await _admin.QueueExistsAsync(queue));
    }
}
