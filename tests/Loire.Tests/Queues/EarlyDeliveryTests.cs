using System.Runtime.CompilerServices;
using Loire.Client;
using Loire.Client.Administration;
using Loire.Entities;
using Loire.Tests.Infrastructure;
using static Loire.Tests.Queues.QueueTestKit;

namespace Loire.Tests.Queues;

[Collection(ClusterCollection.Name)]
public sealed class EarlyDeliveryTests(ClusterFixture fixture)
{
    // Long enough that a receive which should wait for the commit would visibly have returned by then.
    private static readonly TimeSpan HeldCommitObservation = TimeSpan.FromMilliseconds(500);

    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    [Fact]
    public async Task WaitingReceiverGetsMessageBeforeItsCommitAndSendIsAcknowledgedAfterIt()
    {
        var queue = await _admin.CreateTestQueueAsync(o => o.EnableEarlyDelivery = true);
        await using var sender = fixture.Client.CreateSender(queue);
        await using var receiver = fixture.Client.CreateReceiver(queue);
        using var gate = new StoreCommitGate(fixture, queue, fail: false);

        var receive = receiver.ReceiveMessageAsync(Patience);
        var send = sender.SendMessageAsync(Message("early"));
        await gate.Entered.WaitAsync(Patience);

        var received = await receive.WaitAsync(Patience);
        Assert.Equal("early", received?.MessageId);
        Assert.False(send.IsCompleted, "The send was acknowledged while its commit was held.");

        // Settling while the commit is in flight waits for it instead of failing.
        var complete = receiver.CompleteMessageAsync(received!);
        gate.Release();
        await send.WaitAsync(Patience);
        await complete.WaitAsync(Patience);
        Assert.Equal(0, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }

    [Fact]
    public async Task WithoutTheOptionReceiverGetsMessageOnlyAfterItsCommit()
    {
        var queue = await _admin.CreateTestQueueAsync();
        await using var sender = fixture.Client.CreateSender(queue);
        await using var receiver = fixture.Client.CreateReceiver(queue);
        using var gate = new StoreCommitGate(fixture, queue, fail: false);

        var receive = receiver.ReceiveMessageAsync(Patience);
        var send = sender.SendMessageAsync(Message("late"));
        await gate.Entered.WaitAsync(Patience);

        Assert.NotSame(receive, await Task.WhenAny(receive, Task.Delay(HeldCommitObservation)));
        gate.Release();
        await send.WaitAsync(Patience);
        Assert.Equal("late", (await receive.WaitAsync(Patience))?.MessageId);
    }

    [Fact]
    public async Task FailedCommitWithdrawsTheEarlyCopy()
    {
        var lockDuration = TimeSpan.FromSeconds(1);
        var queue = await _admin.CreateTestQueueAsync(o =>
        {
            o.EnableEarlyDelivery = true;
            o.LockDuration = lockDuration;
        });
        await using var sender = fixture.Client.CreateSender(queue);
        await using var receiver = fixture.Client.CreateReceiver(queue);
        using (var gate = new StoreCommitGate(fixture, queue, fail: true))
        {
            var receive = receiver.ReceiveMessageAsync(Patience);
            var send = sender.SendMessageAsync(Message("doomed"));
            await gate.Entered.WaitAsync(Patience);
            var early = await receive.WaitAsync(Patience);
            Assert.Equal("doomed", early?.MessageId);

            // Settled while the commit is in flight: answered once the commit failed, as a lost lock.
            var complete = receiver.CompleteMessageAsync(early!);
            gate.Release();
            await Assert.ThrowsAsync<LoireException>(() => send.WaitAsync(Patience));
            await ThrowsLoireAsync(LoireErrorReason.MessageLockLost, () => complete.WaitAsync(Patience));
        }

        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.TotalMessageCount == 0 && properties.ActiveMessageCount == 0 && properties.LockedMessageCount == 0,
            $"total {properties.TotalMessageCount}, active {properties.ActiveMessageCount}, locked {properties.LockedMessageCount}");
        Assert.Empty(await receiver.PeekMessagesAsync(10, fromSequenceNumber: 0));

        // Past the early copy's lock it must not come back.
        Assert.Null(await receiver.ReceiveMessageAsync(lockDuration * 2));

        await sender.SendMessageAsync(Message("after"));
        var after = await receiver.ReceiveMessageAsync(Patience);
        Assert.Equal("after", after?.MessageId);
        await receiver.CompleteMessageAsync(after!);
    }

    [Fact]
    public async Task FailedCommitHandsNothingToReceiveAndDeleteReceiver()
    {
        var queue = await _admin.CreateTestQueueAsync(o => o.EnableEarlyDelivery = true);
        await using var sender = fixture.Client.CreateSender(queue);
        await using var receiver = fixture.Client.CreateReceiver(queue, new LoireReceiverOptions { ReceiveMode = LoireReceiveMode.ReceiveAndDelete });
        using (var gate = new StoreCommitGate(fixture, queue, fail: true))
        {
            var receive = receiver.ReceiveMessagesAsync(1, Patience);
            var send = sender.SendMessageAsync(Message("doomed"));
            await gate.Entered.WaitAsync(Patience);
            gate.Release();
            await Assert.ThrowsAsync<LoireException>(() => send.WaitAsync(Patience));
            Assert.Empty(await receive.WaitAsync(Patience * 2));
        }

        Assert.Equal(0, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
        await sender.SendMessageAsync(Message("after"));
        Assert.Equal("after", (await receiver.ReceiveMessageAsync(Patience))?.MessageId);
    }

    [Fact]
    public async Task WaitingSubscriptionReceiverGetsTopicMessageBeforeItsCommit()
    {
        var topic = NewTopicName();
        await _admin.CreateTopicAsync(topic);
        await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "early") { EnableEarlyDelivery = true });
        await using var sender = fixture.Client.CreateSender(topic);
        await using var receiver = fixture.Client.CreateReceiver(topic, "early");
        using var gate = new StoreCommitGate(fixture, EntityPath.Subscription(topic, "early"), fail: false);

        var receive = receiver.ReceiveMessageAsync(Patience);
        var send = sender.SendMessageAsync(Message("fanned"));
        await gate.Entered.WaitAsync(Patience);

        Assert.Equal("fanned", (await receive.WaitAsync(Patience))?.MessageId);
        Assert.False(send.IsCompleted, "The topic send was acknowledged while the subscription's commit was held.");
        gate.Release();
        await send.WaitAsync(Patience);
    }

    [Fact]
    public async Task AFanOutWhoseBatchFailsWithdrawsTheEarlyCopyAndStoresNoneInAnySubscription()
    {
        var topic = NewTopicName();
        await _admin.CreateTopicAsync(topic);
        await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "early") { EnableEarlyDelivery = true });
        await _admin.CreateSubscriptionAsync(topic, "plain");
        await using var sender = fixture.Client.CreateSender(topic);
        await using var receiver = fixture.Client.CreateReceiver(topic, "early", new LoireReceiverOptions { ReceiveMode = LoireReceiveMode.ReceiveAndDelete });
        using (var gate = new StoreCommitGate(fixture, EntityPath.Subscription(topic, "plain"), fail: true))
        {
            // One batch holds both copies: the plain subscription's failing put fails the early one's too.
            var receive = receiver.ReceiveMessagesAsync(1, Patience);
            var send = sender.SendMessageAsync(Message("doomed"));
            await gate.Entered.WaitAsync(Patience);
            gate.Release();
            await Assert.ThrowsAsync<LoireException>(() => send.WaitAsync(Patience));
            Assert.Empty(await receive.WaitAsync(Patience * 2));
        }

        foreach (var subscription in new[] { "early", "plain" })
        {
            Assert.Equal(0, (await _admin.GetSubscriptionRuntimePropertiesAsync(topic, subscription)).TotalMessageCount);
        }

        await sender.SendMessageAsync(Message("after"));
        Assert.Equal("after", (await receiver.ReceiveMessageAsync(Patience))?.MessageId);
    }

    [Fact]
    public async Task OptionRoundTripsThroughQueueAndSubscriptionProperties()
    {
        var queue = await _admin.CreateTestQueueAsync(o => o.EnableEarlyDelivery = true);
        var fetchedQueue = await _admin.GetQueueAsync(queue);
        Assert.True(fetchedQueue.EnableEarlyDelivery);
        Assert.True(new CreateQueueOptions(fetchedQueue).EnableEarlyDelivery);
        Assert.False((await _admin.GetQueueAsync(await _admin.CreateTestQueueAsync(test: "DefaultQueue"))).EnableEarlyDelivery);

        var topic = NewTopicName();
        await _admin.CreateTopicAsync(topic);
        var created = await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "early") { EnableEarlyDelivery = true });
        Assert.True(created.EnableEarlyDelivery);
        var fetchedSubscription = await _admin.GetSubscriptionAsync(topic, "early");
        Assert.True(fetchedSubscription.EnableEarlyDelivery);
        Assert.True(new CreateSubscriptionOptions(fetchedSubscription).EnableEarlyDelivery);
        Assert.False((await _admin.CreateSubscriptionAsync(topic, "plain")).EnableEarlyDelivery);
    }

    private static string NewTopicName([CallerMemberName] string test = "") => $"topics/{test}-{Guid.NewGuid().ToString("N")[..8]}";
}
