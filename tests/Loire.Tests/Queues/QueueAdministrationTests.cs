using Loire.Client;
using Loire.Client.Administration;
using Loire.Tests.Infrastructure;
using static Loire.Tests.Queues.QueueTestKit;

namespace Loire.Tests.Queues;

[Collection(ClusterCollection.Name)]
public sealed class QueueAdministrationTests(ClusterFixture fixture)
{
    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    [Fact]
    public async Task CreatedQueueExistsWithItsSettingsAndIsGoneAfterDelete()
    {
        var name = NewQueueName();

        var created = await _admin.CreateQueueAsync(new CreateQueueOptions(name)
        {
            LockDuration = TimeSpan.FromSeconds(7),
            MaxDeliveryCount = 3,
            DefaultMessageTimeToLive = TimeSpan.FromHours(1),
            DeadLetteringOnMessageExpiration = true,
            MaxSizeInMegabytes = 10,
            MaxMessageCount = 50,
        });

        Assert.Equal(name, created.Name);
        Assert.Equal(TimeSpan.FromSeconds(7), created.LockDuration);
        Assert.Equal(3, created.MaxDeliveryCount);
        Assert.Equal(TimeSpan.FromHours(1), created.DefaultMessageTimeToLive);
        Assert.True(created.DeadLetteringOnMessageExpiration);
        Assert.Equal(10, created.MaxSizeInMegabytes);
        Assert.Equal(50, created.MaxMessageCount);
        Assert.True(await _admin.QueueExistsAsync(name));

        var fetched = await _admin.GetQueueAsync(name);
        Assert.Equal(name, fetched.Name);
        Assert.Equal(TimeSpan.FromSeconds(7), fetched.LockDuration);
        Assert.Equal(3, fetched.MaxDeliveryCount);
        Assert.Equal(TimeSpan.FromHours(1), fetched.DefaultMessageTimeToLive);
        Assert.True(fetched.DeadLetteringOnMessageExpiration);
        Assert.Equal(50, fetched.MaxMessageCount);
        Assert.Contains(name, (await CollectAsync(_admin.GetQueuesAsync())).Select(q => q.Name));

        await _admin.DeleteQueueAsync(name);

        Assert.False(await _admin.QueueExistsAsync(name));
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => _admin.GetQueueAsync(name));
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => _admin.GetQueueRuntimePropertiesAsync(name));
        Assert.DoesNotContain(name, (await CollectAsync(_admin.GetQueuesAsync())).Select(q => q.Name));
    }

    [Fact]
    public async Task DeletedQueueLosesItsMessagesAndCanBeRecreatedEmpty()
    {
        var name = await _admin.CreateTestQueueAsync();
        await using var sender = fixture.Client.CreateSender(name);
        await sender.SendMessagesAsync([Message("a"), Message("b")]);

        await _admin.DeleteQueueAsync(name);
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => sender.SendMessageAsync(Message("c")));
        await _admin.CreateQueueAsync(name);

        var properties = await _admin.GetQueueRuntimePropertiesAsync(name);
        Assert.Equal(0, properties.TotalMessageCount);
        await using var receiver = fixture.Client.CreateReceiver(name);
        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.Zero));
    }

    [Fact]
    public async Task DeletingAQueueFailsAReceiveWaitingOnIt()
    {
        var name = await _admin.CreateTestQueueAsync();
        await using var receiver = fixture.Client.CreateReceiver(name);
        var receiving = receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(15));
        await _admin.GetQueueRuntimePropertiesAsync(name);
        Assert.False(receiving.IsCompleted, "The receive returned before the queue was deleted.");
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();

        await _admin.DeleteQueueAsync(name);

        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => receiving.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"The waiting receive failed only after {stopwatch.Elapsed}.");
    }

    [Fact]
    public async Task GetQueuesListsEveryQueueInPathOrderAcrossPages()
    {
        // More than one page (the client lists 100 per call), created out of order and concurrently.
        var prefix = $"paging-{Guid.NewGuid().ToString("N")[..8]}/";
        var names = Enumerable.Range(0, 130).Select(i => $"{prefix}q{i:D3}").ToArray();
        var shuffled = names.OrderBy(_ => Random.Shared.Next()).ToArray();
        foreach (var chunk in shuffled.Chunk(16))
        {
            await Task.WhenAll(chunk.Select(n => _admin.CreateQueueAsync(n)));
        }

        var listed = (await CollectAsync(_admin.GetQueuesAsync())).Select(q => q.Name).ToList();

        Assert.Equal(listed.Order(StringComparer.Ordinal), listed);
        Assert.Equal(listed.Count, listed.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(names, listed.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task RuntimePropertiesCountActiveDeadLetteredDeferredAndScheduledMessages()
    {
        var name = await _admin.CreateTestQueueAsync();
        var empty = await _admin.GetQueueRuntimePropertiesAsync(name);
        Assert.Equal(name, empty.Name);
        Assert.Equal(0, empty.TotalMessageCount);
        Assert.Equal(0, empty.SizeInBytes);

        await using var sender = fixture.Client.CreateSender(name);
        await sender.SendMessagesAsync(Enumerable.Range(0, 4).Select(i => Message($"m{i}")));
        await sender.ScheduleMessageAsync(Message("later"), DateTimeOffset.UtcNow.AddHours(1));
        await using var receiver = fixture.Client.CreateReceiver(name);
        var toDeadLetter = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        var toDefer = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        var locked = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(toDeadLetter);
        Assert.NotNull(toDefer);
        Assert.NotNull(locked);
        await receiver.DeadLetterMessageAsync(toDeadLetter, "test", "counted");
        await receiver.DeferMessageAsync(toDefer);

        var p = await _admin.GetQueueRuntimePropertiesAsync(name);

        Assert.True(p.ActiveMessageCount == 2, Describe(p)); // one locked, one available
        Assert.True(p.LockedMessageCount == 1, Describe(p));
        Assert.True(p.DeadLetterMessageCount == 1, Describe(p));
        Assert.True(p.DeferredMessageCount == 1, Describe(p));
        Assert.True(p.ScheduledMessageCount == 1, Describe(p));
        Assert.True(p.TotalMessageCount == 5, Describe(p));
        Assert.True(p.SizeInBytes > 0, Describe(p));

        // Emptying the queue brings every count and the size back to zero.
        await receiver.CompleteMessageAsync(locked);
        var deferred = await receiver.ReceiveDeferredMessageAsync(toDefer.SequenceNumber);
        await receiver.CompleteMessageAsync(deferred);
        var last = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(last);
        await receiver.CompleteMessageAsync(last);
        await using var deadLetters = fixture.Client.CreateReceiver(name, new LoireReceiverOptions { SubQueue = SubQueue.DeadLetter });
        var dead = await deadLetters.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(dead);
        await deadLetters.CompleteMessageAsync(dead);
        var scheduled = await receiver.PeekMessageAsync();
        Assert.NotNull(scheduled);
        await sender.CancelScheduledMessageAsync(scheduled.SequenceNumber);

        var after = await _admin.GetQueueRuntimePropertiesAsync(name);
        Assert.True(after.TotalMessageCount == 0 && after.ActiveMessageCount == 0 && after.DeadLetterMessageCount == 0
            && after.ScheduledMessageCount == 0 && after.DeferredMessageCount == 0 && after.SizeInBytes == 0, Describe(after));
    }

    [Fact]
    public async Task CreatingAnExistingQueueFailsWithAlreadyExistsAndLeavesItUnchanged()
    {
        var name = await _admin.CreateTestQueueAsync(o => o.LockDuration = TimeSpan.FromSeconds(5));
        await using var sender = fixture.Client.CreateSender(name);
        await sender.SendMessageAsync(Message("kept"));

        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityAlreadyExists,
            () => _admin.CreateQueueAsync(new CreateQueueOptions(name) { LockDuration = TimeSpan.FromSeconds(20), MaxDeliveryCount = 2 }));

        var properties = await _admin.GetQueueAsync(name);
        Assert.Equal(TimeSpan.FromSeconds(5), properties.LockDuration);
        Assert.Equal(10, properties.MaxDeliveryCount);
        Assert.Equal(1, (await _admin.GetQueueRuntimePropertiesAsync(name)).TotalMessageCount);
        await using var receiver = fixture.Client.CreateReceiver(name);
        var message = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("kept", message?.MessageId);
    }

    [Fact]
    public async Task CreatingAQueueWhereATopicExistsFailsWithAlreadyExists()
    {
        var name = NewQueueName();
        await _admin.CreateTopicAsync(new CreateTopicOptions(name));

        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityAlreadyExists, () => _admin.CreateQueueAsync(name));

        Assert.False(await _admin.QueueExistsAsync(name));
        Assert.True(await _admin.TopicExistsAsync(name));
    }

    [Fact]
    public async Task DeletingAnUnknownQueueFailsWithNotFound()
    {
        var name = NewQueueName();

        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => _admin.DeleteQueueAsync(name));
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => _admin.GetQueueAsync(name));
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => _admin.GetQueueRuntimePropertiesAsync(name));
        Assert.False(await _admin.QueueExistsAsync(name));
    }

    public static TheoryData<string> InvalidNames() => new()
    {
        "",
        " ",
        "a//b",
        "/a",
        "a/",
        "-x",
        "x-",
        "a b",
        "a*b",
        "é",
        new string('q', 300),
        "x/$deadletterqueue",
        "t/subscriptions/s",
    };

    [Theory]
    [MemberData(nameof(InvalidNames))]
    public async Task InvalidQueueNamesAreRejectedAndNothingIsCreated(string name)
    {
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument, () => _admin.CreateQueueAsync(name));
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument, () => _admin.CreateQueueAsync(new CreateQueueOptions(name)));
        ThrowsLoire(LoireErrorReason.InvalidArgument, () => fixture.Client.CreateSender(name));
        ThrowsLoire(LoireErrorReason.InvalidArgument, () => fixture.Client.CreateReceiver(name));

        var queues = await CollectAsync(_admin.GetQueuesAsync());
        Assert.DoesNotContain(queues, q => q.Name == name || q.Name == name.Trim('/') || q.Name == name.Replace("//", "/"));
    }

    public static TheoryData<string> InvalidOptions() => new()
    {
        "LockDuration=0",
        "LockDuration=-1s",
        "LockDuration=500ms",
        "LockDuration=10min",
        "MaxDeliveryCount=0",
        "MaxDeliveryCount=-1",
        "DefaultMessageTimeToLive=0",
        "MaxMessageCount=0",
        "MaxSizeInMegabytes=0",
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public async Task InvalidQueueOptionsAreRejectedAndNothingIsCreated(string setting)
    {
        var options = new CreateQueueOptions(NewQueueName());
        switch (setting)
        {
            case "LockDuration=0": options.LockDuration = TimeSpan.Zero; break;
            case "LockDuration=-1s": options.LockDuration = TimeSpan.FromSeconds(-1); break;
            case "LockDuration=500ms": options.LockDuration = TimeSpan.FromMilliseconds(500); break;
            case "LockDuration=10min": options.LockDuration = TimeSpan.FromMinutes(10); break;
            case "MaxDeliveryCount=0": options.MaxDeliveryCount = 0; break;
            case "MaxDeliveryCount=-1": options.MaxDeliveryCount = -1; break;
            case "DefaultMessageTimeToLive=0": options.DefaultMessageTimeToLive = TimeSpan.Zero; break;
            case "MaxMessageCount=0": options.MaxMessageCount = 0; break;
            case "MaxSizeInMegabytes=0": options.MaxSizeInMegabytes = 0; break;
            default: throw new ArgumentOutOfRangeException(nameof(setting), setting, null);
        }

        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument, () => _admin.CreateQueueAsync(options));

        Assert.False(await _admin.QueueExistsAsync(options.Name));
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => _admin.GetQueueAsync(options.Name));
    }
}
