using Loire.Client;
using Loire.Client.Administration;
using Loire.Tests.Infrastructure;
using static Loire.Tests.Queues.QueueTestKit;
using static Loire.Tests.Sessions.SessionTestKit;

namespace Loire.Tests.Sessions;

[Collection(ClusterCollection.Name)]
public sealed class SessionReceiveTests(ClusterFixture fixture)
{
    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    [Fact]
    public async Task AcceptNextTakesOneSessionAndDeliversOnlyItsMessagesInOrder()
    {
        var queue = await _admin.CreateSessionQueueAsync();
        var sender = fixture.Client.CreateSender(queue);
        foreach (var i in Enumerable.Range(1, 5))
        {
            await sender.SendMessagesAsync([SessionMessage($"a{i}", "a"), SessionMessage($"b{i}", "b")]);
        }

        // Session "a" has the oldest message, so it comes first.
        await using var first = await fixture.Client.AcceptNextSessionAsync(queue, Wait(Patience));
        Assert.Equal("a", first.SessionId);
        Assert.True(first.SessionLockedUntil > DateTimeOffset.UtcNow);
        var fromA = await ReceiveInOrderAsync(first, 5);
        Assert.Equal(["a1", "a2", "a3", "a4", "a5"], fromA.Select(m => m.MessageId));
        Assert.All(fromA, m => Assert.Equal("a", m.SessionId));
        Assert.Empty(await first.ReceiveMessagesAsync(10, TimeSpan.Zero));

        await using var second = await fixture.Client.AcceptNextSessionAsync(queue, Wait(Patience));
        Assert.Equal("b", second.SessionId);
        var fromB = await ReceiveInOrderAsync(second, 5);
        Assert.Equal(["b1", "b2", "b3", "b4", "b5"], fromB.Select(m => m.MessageId));
        Assert.True(fromB.Zip(fromB.Skip(1)).All(p => p.First.SequenceNumber < p.Second.SequenceNumber));

        await first.CompleteMessagesAsync(fromA);
        await second.CompleteMessagesAsync(fromB);
        Assert.Equal(0, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);

        // Both sessions are held: nothing is left to accept.
        await ThrowsLoireAsync(LoireErrorReason.ServiceTimeout, () => fixture.Client.AcceptNextSessionAsync(queue, Wait(TimeSpan.Zero)));
    }

    [Fact]
    public async Task AcceptNextWaitsForASessionToGetMessages()
    {
        var queue = await _admin.CreateSessionQueueAsync();

        var accepting = fixture.Client.AcceptNextSessionAsync(queue, Wait(Patience));
        await fixture.Client.CreateSender(queue).SendMessageAsync(SessionMessage("late", "s-late"));
        await using var receiver = await accepting;

        Assert.Equal("s-late", receiver.SessionId);
        Assert.Equal("late", (await receiver.ReceiveMessageAsync(Patience))?.MessageId);
    }

    [Fact]
    public async Task ScheduledSessionMessageMakesItsSessionAcceptableWhenItBecomesVisible()
    {
        var queue = await _admin.CreateSessionQueueAsync();
        var sequenceNumber = await fixture.Client.CreateSender(queue).ScheduleMessageAsync(SessionMessage("soon", "s"), DateTimeOffset.UtcNow.AddSeconds(1));
        await ThrowsLoireAsync(LoireErrorReason.ServiceTimeout, () => fixture.Client.AcceptNextSessionAsync(queue, Wait(TimeSpan.Zero)));

        await using var receiver = await fixture.Client.AcceptNextSessionAsync(queue, Wait(Patience));
        var message = await receiver.ReceiveMessageAsync(Patience);

        Assert.Equal(sequenceNumber, message?.SequenceNumber);
    }

    [Fact]
    public async Task AcceptNextOnAnEmptyQueueTimesOutWithServiceTimeout()
    {
        var queue = await _admin.CreateSessionQueueAsync();

        var error = await ThrowsLoireAsync(LoireErrorReason.ServiceTimeout,
            () => fixture.Client.AcceptNextSessionAsync(queue, Wait(TimeSpan.FromMilliseconds(300))));

        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task AcceptSessionLocksANamedSessionWithoutMessagesAndItsReceiveWaitsForThem()
    {
        var queue = await _admin.CreateSessionQueueAsync();
        await using var receiver = await fixture.Client.AcceptSessionAsync(queue, "future");
        Assert.Equal("future", receiver.SessionId);
        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.Zero));

        var receiving = receiver.ReceiveMessageAsync(Patience);
        await fixture.Client.CreateSender(queue).SendMessagesAsync([SessionMessage("other", "elsewhere"), SessionMessage("mine", "future")]);
        var message = await receiving;

        Assert.Equal("mine", message?.MessageId);
        await receiver.CompleteMessageAsync(message!);
    }

    [Fact]
    public async Task AcceptSessionOnALockedSessionIsRefused()
    {
        var queue = await _admin.CreateSessionQueueAsync();
        await fixture.Client.CreateSender(queue).SendMessageAsync(SessionMessage("m1", "s1"));
        await using var holder = await fixture.Client.AcceptSessionAsync(queue, "s1");

        await ThrowsLoireAsync(LoireErrorReason.SessionCannotBeLocked, () => fixture.Client.AcceptSessionAsync(queue, "s1"));
        await ThrowsLoireAsync(LoireErrorReason.ServiceTimeout, () => fixture.Client.AcceptNextSessionAsync(queue, Wait(TimeSpan.Zero)));

        // Closing releases it for the next receiver.
        await holder.CloseAsync();
        await using var next = await fixture.Client.AcceptSessionAsync(queue, "s1");
        Assert.Equal("m1", (await next.ReceiveMessageAsync(TimeSpan.Zero))?.MessageId);
    }

    [Fact]
    public async Task AbandonedMessageIsTheNextOneReceivedAgain()
    {
        var queue = await _admin.CreateSessionQueueAsync();
        await fixture.Client.CreateSender(queue).SendMessagesAsync([SessionMessage("m1", "s"), SessionMessage("m2", "s"), SessionMessage("m3", "s")]);
        await using var receiver = await fixture.Client.AcceptNextSessionAsync(queue, Wait(Patience));

        var batch = await ReceiveInOrderAsync(receiver, 2);
        Assert.Equal(["m1", "m2"], batch.Select(m => m.MessageId));
        await receiver.AbandonMessageAsync(batch[0]);

        // m1 goes back to the head of the session: it comes before m3.
        var again = await receiver.ReceiveMessageAsync(Patience);
        Assert.Equal("m1", again?.MessageId);
        Assert.Equal(2, again!.DeliveryCount);
        await receiver.CompleteMessageAsync(again);
        await receiver.CompleteMessageAsync(batch[1]);
        var last = await receiver.ReceiveMessageAsync(Patience);
        Assert.Equal("m3", last?.MessageId);
        Assert.Equal(1, last!.DeliveryCount);
        await receiver.CompleteMessageAsync(last);
    }

    [Fact]
    public async Task DeferredMessagesOfTheSessionAreReceivedBySequenceNumber()
    {
        var queue = await _admin.CreateSessionQueueAsync();
        await fixture.Client.CreateSender(queue).SendMessagesAsync([SessionMessage("m1", "s"), SessionMessage("m2", "s")]);
        await using var receiver = await fixture.Client.AcceptNextSessionAsync(queue, Wait(Patience));

        var first = await receiver.ReceiveMessageAsync(Patience);
        await receiver.DeferMessageAsync(first!);
        Assert.Equal("m2", (await receiver.ReceiveMessageAsync(Patience))?.MessageId);
        var peeked = await receiver.PeekMessagesAsync(10, fromSequenceNumber: 0);
        Assert.Equal(["m1", "m2"], peeked.Select(m => m.MessageId));
        Assert.Equal(LoireMessageState.Deferred, peeked[0].State);

        var deferred = await receiver.ReceiveDeferredMessageAsync(first!.SequenceNumber);
        Assert.Equal("m1", deferred.MessageId);
        await receiver.CompleteMessageAsync(deferred);
    }

    [Fact]
    public async Task DeadLetterQueueOfASessionQueueIsReadByAPlainReceiver()
    {
        var queue = await _admin.CreateSessionQueueAsync();
        await fixture.Client.CreateSender(queue).SendMessageAsync(SessionMessage("poison", "s"));
        await using (var session = await fixture.Client.AcceptNextSessionAsync(queue, Wait(Patience)))
        {
            var message = await session.ReceiveMessageAsync(Patience);
            await session.DeadLetterMessageAsync(message!, "bad", "very bad");
        }

        await using var deadLetters = fixture.Client.CreateReceiver(queue, new LoireReceiverOptions { SubQueue = SubQueue.DeadLetter });
        var dead = await deadLetters.ReceiveMessageAsync(Patience);

        Assert.Equal("poison", dead?.MessageId);
        Assert.Equal("s", dead!.SessionId);
        Assert.Equal("bad", dead.DeadLetterReason);
        await deadLetters.CompleteMessageAsync(dead);
        Assert.Equal(0, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }

    [Fact]
    public async Task ReceiveAndDeleteSessionReceiverRemovesMessagesInOrder()
    {
        var queue = await _admin.CreateSessionQueueAsync();
        await fixture.Client.CreateSender(queue).SendMessagesAsync([SessionMessage("m1", "s"), SessionMessage("m2", "s")]);

        await using var receiver = await fixture.Client.AcceptNextSessionAsync(queue,
            new LoireSessionReceiverOptions { ReceiveMode = LoireReceiveMode.ReceiveAndDelete, MaxWaitTime = Patience });
        var received = await ReceiveInOrderAsync(receiver, 2);

        Assert.Equal(["m1", "m2"], received.Select(m => m.MessageId));
        Assert.Equal(0, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }
}
