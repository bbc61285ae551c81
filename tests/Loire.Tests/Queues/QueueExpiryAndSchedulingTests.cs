using System.Diagnostics;
using Loire.Client;
using Loire.Client.Administration;
using Loire.Tests.Infrastructure;
using static Loire.Tests.Queues.QueueTestKit;

namespace Loire.Tests.Queues;

[Collection(ClusterCollection.Name)]
public sealed class QueueExpiryAndSchedulingTests(ClusterFixture fixture)
{
    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    [Fact]
    public async Task ExpiredMessageIsDroppedWhenTheQueueDoesNotDeadLetterOnExpiration()
    {
        var queue = await _admin.CreateTestQueueAsync();
        await using var sender = fixture.Client.CreateSender(queue);
        await sender.SendMessageAsync(new LoireMessage("short-lived") { MessageId = "short", TimeToLive = TimeSpan.FromSeconds(1) });
        await sender.SendMessageAsync(Message("durable"));
        await using var receiver = fixture.Client.CreateReceiver(queue);
        var peeked = await receiver.PeekMessageAsync();
        Assert.Equal("short", peeked?.MessageId);
        Assert.Equal(TimeSpan.FromSeconds(1), peeked!.ExpiresAt - peeked.EnqueuedTime);

        var properties = await _admin.RuntimePropertiesWhenAsync(queue, p => p.ActiveMessageCount == 1, "the expired message to leave the queue");

        Assert.True(properties.TotalMessageCount == 1 && properties.DeadLetterMessageCount == 0, Describe(properties));
        var received = await ReceiveAtLeastAsync(receiver, 1);
        Assert.Equal(["durable"], received.Select(m => m.MessageId));
        await receiver.CompleteMessageAsync(received[0]);
        var after = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(after.TotalMessageCount == 0 && after.ActiveMessageCount == 0 && after.DeadLetterMessageCount == 0 && after.SizeInBytes == 0, Describe(after));
    }

    [Fact]
    public async Task ExpiredMessageIsNeverHandedOutEvenIfReceivedRightAtExpiry()
    {
        var queue = await _admin.CreateTestQueueAsync();
        await using var sender = fixture.Client.CreateSender(queue);
        await sender.SendMessageAsync(new LoireMessage("short-lived") { MessageId = "short", TimeToLive = TimeSpan.FromSeconds(1) });
        await using var peeker = fixture.Client.CreateReceiver(queue);
        var expiresAt = (await peeker.PeekMessageAsync())!.ExpiresAt;
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(DateTimeOffset.UtcNow > expiresAt), Patience));

        await using var receiver = fixture.Client.CreateReceiver(queue);
        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.Zero));
        await _admin.RuntimePropertiesWhenAsync(queue, p => p.TotalMessageCount == 0, "the expired message to be dropped");
    }

    [Fact]
    public async Task ExpiredMessageMovesToTheDeadLetterQueueWhenTheQueueDeadLettersOnExpiration()
    {
        var queue = await _admin.CreateTestQueueAsync(o => o.DeadLetteringOnMessageExpiration = true);
        await using var sender = fixture.Client.CreateSender(queue);
        await using var deadLetters = fixture.Client.CreateReceiver(queue, new LoireReceiverOptions { SubQueue = SubQueue.DeadLetter });
        await sender.SendMessageAsync(new LoireMessage("short-lived") { MessageId = "short", TimeToLive = TimeSpan.FromSeconds(1) });

        // A receive waiting on the dead-letter queue gets the message when it expires.
        var stopwatch = Stopwatch.StartNew();
        var dead = await deadLetters.ReceiveMessageAsync(TimeSpan.FromSeconds(8));
        var elapsed = stopwatch.Elapsed;

        Assert.NotNull(dead);
        Assert.Equal("short", dead.MessageId);
        Assert.Equal("TTLExpiredException", dead.DeadLetterReason);
        Assert.True(elapsed < TimeSpan.FromSeconds(4), $"The dead-letter receive took {elapsed}; the message expired after 1 s.");
        await using var receiver = fixture.Client.CreateReceiver(queue);
        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.Zero));
        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.ActiveMessageCount == 0 && properties.DeadLetterMessageCount == 1, Describe(properties));
        await deadLetters.CompleteMessageAsync(dead);
    }

    [Fact]
    public async Task EntityDefaultTimeToLiveAppliesToMessagesWithoutTheirOwnOrWithALongerOne()
    {
        var queue = await _admin.CreateTestQueueAsync(o =>
        {
            o.DefaultMessageTimeToLive = TimeSpan.FromSeconds(1);
            o.DeadLetteringOnMessageExpiration = true;
        });
        await using var sender = fixture.Client.CreateSender(queue);
        await sender.SendMessagesAsync([
            Message("default"),
            new LoireMessage("long") { MessageId = "long", TimeToLive = TimeSpan.FromHours(1) },
        ]);
        await using var peeker = fixture.Client.CreateReceiver(queue);
        var peeked = await peeker.PeekMessagesAsync(10);
        Assert.Equal(["default", "long"], peeked.Select(m => m.MessageId));
        Assert.All(peeked, m => Assert.Equal(TimeSpan.FromSeconds(1), m.ExpiresAt - m.EnqueuedTime));

        await _admin.RuntimePropertiesWhenAsync(queue, p => p.DeadLetterMessageCount == 2 && p.ActiveMessageCount == 0,
            "both messages to expire into the dead-letter queue");

        await using var deadLetters = fixture.Client.CreateReceiver(queue, new LoireReceiverOptions { SubQueue = SubQueue.DeadLetter });
        var dead = await ReceiveAtLeastAsync(deadLetters, 2);
        Assert.Equal(["default", "long"], dead.Select(m => m.MessageId).Order(StringComparer.Ordinal));
        Assert.All(dead, m => Assert.Equal("TTLExpiredException", m.DeadLetterReason));
    }

    [Fact]
    public async Task LockedMessageThatExpiresIsNotRedeliveredAfterAbandon()
    {
        var queue = await _admin.CreateTestQueueAsync();
        await using var sender = fixture.Client.CreateSender(queue);
        await sender.SendMessageAsync(new LoireMessage("short-lived") { MessageId = "short", TimeToLive = TimeSpan.FromSeconds(1) });
        await using var receiver = fixture.Client.CreateReceiver(queue);
        var message = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(message);
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(DateTimeOffset.UtcNow > message.ExpiresAt), Patience));

        await receiver.AbandonMessageAsync(message);

        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.FromMilliseconds(500)));
        await _admin.RuntimePropertiesWhenAsync(queue, p => p.TotalMessageCount == 0, "the expired message to be dropped");
    }

    [Fact]
    public async Task ScheduledMessageIsCountedAsScheduledAndReceivableOnlyAfterItsTime()
    {
        var queue = await _admin.CreateTestQueueAsync();
        await using var sender = fixture.Client.CreateSender(queue);
        var scheduledFor = DateTimeOffset.UtcNow.AddSeconds(2);
        var sequenceNumber = await sender.ScheduleMessageAsync(Message("later"), scheduledFor);

        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.ScheduledMessageCount == 1 && properties.ActiveMessageCount == 0 && properties.TotalMessageCount == 1, Describe(properties));
        await using var receiver = fixture.Client.CreateReceiver(queue);
        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.Zero));
        var peeked = await receiver.PeekMessageAsync();
        Assert.Equal(sequenceNumber, peeked?.SequenceNumber);
        Assert.Equal(LoireMessageState.Scheduled, peeked?.State);

        var message = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(8));
        var receivedAt = DateTimeOffset.UtcNow;

        Assert.NotNull(message);
        Assert.Equal("later", message.MessageId);
        Assert.Equal(sequenceNumber, message.SequenceNumber);
        Assert.True(receivedAt >= scheduledFor - TimeSpan.FromMilliseconds(50), $"Received at {receivedAt:O}, before its time {scheduledFor:O}.");
        Assert.True(receivedAt < scheduledFor + TimeSpan.FromSeconds(2), $"Received at {receivedAt:O}, long after its time {scheduledFor:O}.");
        Assert.Equal(scheduledFor, message.ScheduledEnqueueTime);
        var after = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(after.ScheduledMessageCount == 0 && after.ActiveMessageCount == 1, Describe(after));
        await receiver.CompleteMessageAsync(message);
    }

    [Fact]
    public async Task MessageWithScheduledEnqueueTimeSentNormallyIsHeldUntilItsTime()
    {
        var queue = await _admin.CreateTestQueueAsync();
        await using var sender = fixture.Client.CreateSender(queue);
        var scheduledFor = DateTimeOffset.UtcNow.AddSeconds(1.5);
        await sender.SendMessageAsync(new LoireMessage("later") { MessageId = "later", ScheduledEnqueueTime = scheduledFor });

        Assert.Equal(1, (await _admin.GetQueueRuntimePropertiesAsync(queue)).ScheduledMessageCount);
        await using var receiver = fixture.Client.CreateReceiver(queue);
        var message = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(8));
        var receivedAt = DateTimeOffset.UtcNow;

        Assert.Equal("later", message?.MessageId);
        Assert.True(receivedAt >= scheduledFor - TimeSpan.FromMilliseconds(50), $"Received at {receivedAt:O}, before its time {scheduledFor:O}.");
    }

    [Fact]
    public async Task CancelledScheduledMessageIsNeverDelivered()
    {
        var queue = await _admin.CreateTestQueueAsync();
        await using var sender = fixture.Client.CreateSender(queue);
        var scheduledFor = DateTimeOffset.UtcNow.AddSeconds(1.5);
        var cancelled = await sender.ScheduleMessageAsync(Message("cancelled"), scheduledFor);
        var kept = await sender.ScheduleMessageAsync(Message("kept"), scheduledFor);

        await sender.CancelScheduledMessageAsync(cancelled);

        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.ScheduledMessageCount == 1 && properties.TotalMessageCount == 1, Describe(properties));
        await using var receiver = fixture.Client.CreateReceiver(queue);
        var message = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(8));
        Assert.Equal("kept", message?.MessageId);
        Assert.Equal(kept, message?.SequenceNumber);
        // Past the scheduled time, the cancelled one is not there.
        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.FromMilliseconds(500)));
        Assert.Equal(["kept"], (await receiver.PeekMessagesAsync(10, fromSequenceNumber: 0)).Select(m => m.MessageId));
        await receiver.CompleteMessageAsync(message!);
        Assert.Equal(0, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
        // Cancelling again (or an unknown number) is ignored.
        await sender.CancelScheduledMessageAsync(cancelled);
    }
}
