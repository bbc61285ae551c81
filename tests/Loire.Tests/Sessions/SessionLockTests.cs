using Loire.Client;
using Loire.Client.Administration;
using Loire.Tests.Infrastructure;
using Loire.Tests.Queues;
using static Loire.Tests.Queues.QueueTestKit;
using static Loire.Tests.Sessions.SessionTestKit;

namespace Loire.Tests.Sessions;

[Collection(ClusterCollection.Name)]
public sealed class SessionLockTests(ClusterFixture fixture)
{
    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    [Fact]
    public async Task ExpiredSessionLockLetsAnotherReceiverTakeTheSessionWithItsUnsettledMessages()
    {
        var queue = await _admin.CreateSessionQueueAsync(o => o.LockDuration = TimeSpan.FromSeconds(1));
        await fixture.Client.CreateSender(queue).SendMessagesAsync([SessionMessage("m1", "s"), SessionMessage("m2", "s")]);
        await using var first = await fixture.Client.AcceptNextSessionAsync(queue, Wait(Patience));
        var held = await ReceiveInOrderAsync(first, 2);
        Assert.All(held, m => Assert.Equal(1, m.DeliveryCount));

        // Nobody renews: the broker releases the session when its lock runs out and hands it to the waiting receiver.
        await using var second = await fixture.Client.AcceptNextSessionAsync(queue, Wait(Patience));
        Assert.Equal("s", second.SessionId);
        var again = await ReceiveInOrderAsync(second, 2);

        Assert.Equal(["m1", "m2"], again.Select(m => m.MessageId));
        Assert.All(again, m => Assert.Equal(2, m.DeliveryCount));
        await ThrowsLoireAsync(LoireErrorReason.SessionLockLost, () => first.CompleteMessageAsync(held[0]));
        await ThrowsLoireAsync(LoireErrorReason.SessionLockLost, () => first.RenewSessionLockAsync());
        await ThrowsLoireAsync(LoireErrorReason.SessionLockLost, () => first.ReceiveMessageAsync(TimeSpan.Zero));
        await second.CompleteMessagesAsync(again);
        Assert.Equal(0, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }

    [Fact]
    public async Task RenewingTheSessionLockKeepsTheSessionAndItsMessages()
    {
        var lockDuration = TimeSpan.FromSeconds(2);
        var queue = await _admin.CreateSessionQueueAsync(o => o.LockDuration = lockDuration);
        await fixture.Client.CreateSender(queue).SendMessageAsync(SessionMessage("m1", "s"));
        await using var receiver = await fixture.Client.AcceptSessionAsync(queue, "s");
        var message = await receiver.ReceiveMessageAsync(Patience);
        var firstLockedUntil = receiver.SessionLockedUntil;

        // Keep renewing until well past the original lock (pacing the renewals, not synchronising on them).
        while (DateTimeOffset.UtcNow < firstLockedUntil + TimeSpan.FromSeconds(1))
        {
            await receiver.RenewSessionLockAsync();
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }

        Assert.True(receiver.SessionLockedUntil > firstLockedUntil + TimeSpan.FromSeconds(1));
        await ThrowsLoireAsync(LoireErrorReason.SessionCannotBeLocked, () => fixture.Client.AcceptSessionAsync(queue, "s"));

        // The message's lock was renewed with the session: it can still be completed.
        await receiver.CompleteMessageAsync(message!);
        Assert.Equal(0, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }

    [Fact]
    public async Task SettlingAfterCloseIsSessionLockLostAndTheMessageReturnsToTheSession()
    {
        var queue = await _admin.CreateSessionQueueAsync();
        await fixture.Client.CreateSender(queue).SendMessageAsync(SessionMessage("m1", "s"));
        var receiver = await fixture.Client.AcceptSessionAsync(queue, "s");
        var message = await receiver.ReceiveMessageAsync(Patience);

        await receiver.CloseAsync();

        await ThrowsLoireAsync(LoireErrorReason.SessionLockLost, () => receiver.CompleteMessageAsync(message!));
        await ThrowsLoireAsync(LoireErrorReason.SessionLockLost, () => receiver.AbandonMessageAsync(message!));
        await ThrowsLoireAsync(LoireErrorReason.SessionLockLost, () => receiver.SetSessionStateAsync(new BinaryData("x")));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => receiver.ReceiveMessageAsync(TimeSpan.Zero));

        await using var next = await fixture.Client.AcceptNextSessionAsync(queue, Wait(Patience));
        var again = await next.ReceiveMessageAsync(Patience);
        Assert.Equal("m1", again?.MessageId);
        Assert.Equal(2, again!.DeliveryCount);
        await next.CompleteMessageAsync(again);
    }

    [Fact]
    public async Task ClosingReleasesPrefetchedMessages()
    {
        var queue = await _admin.CreateSessionQueueAsync();
        await fixture.Client.CreateSender(queue).SendMessagesAsync([SessionMessage("m1", "s"), SessionMessage("m2", "s"), SessionMessage("m3", "s")]);
        await using (var prefetching = await fixture.Client.AcceptNextSessionAsync(queue,
            new LoireSessionReceiverOptions { PrefetchCount = 10, MaxWaitTime = Patience }))
        {
            var first = await prefetching.ReceiveMessageAsync(Patience);
            Assert.Equal("m1", first?.MessageId);
            await prefetching.CompleteMessageAsync(first!);
            Assert.Equal("m2", (await prefetching.ReceiveMessageAsync(TimeSpan.Zero))?.MessageId);
        }

        await using var next = await fixture.Client.AcceptNextSessionAsync(queue, Wait(Patience));
        var rest = await ReceiveInOrderAsync(next, 2);
        Assert.Equal(["m2", "m3"], rest.Select(m => m.MessageId));
    }

    [Fact]
    public async Task NamedAcceptRightAfterTheLockRanOutGetsTheSession()
    {
        var queue = await _admin.CreateSessionQueueAsync(o => o.LockDuration = TimeSpan.FromSeconds(1));
        await fixture.Client.CreateSender(queue).SendMessageAsync(SessionMessage("m1", "s"));
        await using var first = await fixture.Client.AcceptSessionAsync(queue, "s");
        Assert.Equal("m1", (await first.ReceiveMessageAsync(Patience))?.MessageId);

        LoireSessionReceiver? second = null;
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            try
            {
                second = await fixture.Client.AcceptSessionAsync(queue, "s");
                return true;
            }
            catch (LoireException e) when (e.Reason == LoireErrorReason.SessionCannotBeLocked)
            {
                return false;
            }
        }, Patience));

        await using var _ = second!;
        Assert.True(DateTimeOffset.UtcNow >= first.SessionLockedUntil);
        var again = await second!.ReceiveMessageAsync(Patience);
        Assert.Equal(2, again?.DeliveryCount);
    }

    [Fact]
    public async Task ReleasedMessagesThatReachedMaxDeliveryCountAreDeadLettered()
    {
        var queue = await _admin.CreateSessionQueueAsync(o => o.MaxDeliveryCount = 1);
        await fixture.Client.CreateSender(queue).SendMessageAsync(SessionMessage("m1", "s"));
        await using (var receiver = await fixture.Client.AcceptSessionAsync(queue, "s"))
        {
            Assert.NotNull(await receiver.ReceiveMessageAsync(Patience));
        }

        var properties = await _admin.RuntimePropertiesWhenAsync(queue, p => p.DeadLetterMessageCount == 1, "the message in the dead-letter queue");
        Assert.Equal(0, properties.ActiveMessageCount);
        await using var deadLetters = fixture.Client.CreateReceiver(queue, new LoireReceiverOptions { SubQueue = SubQueue.DeadLetter });
        Assert.Equal("MaxDeliveryCountExceeded", (await deadLetters.ReceiveMessageAsync(Patience))?.DeadLetterReason);
    }

    [Fact]
    public async Task MessageLockLostInsideASessionIsMessageLockLost()
    {
        var queue = await _admin.CreateSessionQueueAsync();
        await fixture.Client.CreateSender(queue).SendMessageAsync(SessionMessage("m1", "s"));
        await using var receiver = await fixture.Client.AcceptSessionAsync(queue, "s");
        var message = await receiver.ReceiveMessageAsync(Patience);

        await receiver.CompleteMessageAsync(message!);

        await ThrowsLoireAsync(LoireErrorReason.MessageLockLost, () => receiver.CompleteMessageAsync(message!));
        await ThrowsLoireAsync(LoireErrorReason.MessageLockLost, () => receiver.RenewMessageLockAsync(message!));
    }
}
