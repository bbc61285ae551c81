using Loire.Client;
using Loire.Client.Administration;
using Loire.Tests.Infrastructure;
using static Loire.Tests.Queues.QueueTestKit;
using static Loire.Tests.Sessions.SessionTestKit;

namespace Loire.Tests.Sessions;

[Collection(ClusterCollection.Name)]
public sealed class SessionSendTests(ClusterFixture fixture)
{
    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    [Fact]
    public async Task SessionQueueCanBeCreatedAndReportsRequiresSession()
    {
        var queue = await _admin.CreateSessionQueueAsync();

        var properties = await _admin.GetQueueAsync(queue);

        Assert.True(properties.RequiresSession);
    }

    [Fact]
    public async Task SendingWithoutSessionIdToASessionQueueIsRefusedAndStoresNothing()
    {
        var queue = await _admin.CreateSessionQueueAsync();
        var sender = fixture.Client.CreateSender(queue);

        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument, () => sender.SendMessageAsync(SessionMessage("lonely", null)));
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument, () => sender.SendMessageAsync(SessionMessage("empty", "")));

        // One bad message refuses the whole batch: the good ones are not stored either.
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument,
            () => sender.SendMessagesAsync([SessionMessage("a1", "a"), SessionMessage("none", null), SessionMessage("a2", "a")]));
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument,
            () => sender.ScheduleMessageAsync(SessionMessage("later", null), DateTimeOffset.UtcNow.AddMinutes(1)));

        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.TotalMessageCount == 0 && properties.SizeInBytes == 0, Describe(properties));
        await using var receiver = await fixture.Client.AcceptSessionAsync(queue, "a");
        Assert.Empty(await receiver.PeekMessagesAsync(10, fromSequenceNumber: 0));
    }

    [Fact]
    public async Task SessionIdOnAPlainQueueIsJustCarried()
    {
        var queue = await _admin.CreateTestQueueAsync();
        await fixture.Client.CreateSender(queue).SendMessagesAsync([SessionMessage("m1", "s1"), SessionMessage("m2", null)]);

        await using var receiver = fixture.Client.CreateReceiver(queue);
        var received = await ReceiveAtLeastAsync(receiver, 2);

        Assert.Equal(["m1", "m2"], received.Select(m => m.MessageId));
        Assert.Equal("s1", received[0].SessionId);
        Assert.Null(received[1].SessionId);
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument, () => fixture.Client.AcceptNextSessionAsync(queue, Wait(TimeSpan.Zero)));
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument, () => fixture.Client.AcceptSessionAsync(queue, "s1"));
    }

    [Fact]
    public async Task PlainReceiverOnASessionQueueIsRefused()
    {
        var queue = await _admin.CreateSessionQueueAsync();
        await fixture.Client.CreateSender(queue).SendMessageAsync(SessionMessage("m1", "s1"));

        await using var receiver = fixture.Client.CreateReceiver(queue);
        var error = await ThrowsLoireAsync(LoireErrorReason.InvalidArgument, () => receiver.ReceiveMessageAsync(TimeSpan.Zero));
        Assert.Contains("AcceptNextSessionAsync", error.Message);
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument, () => receiver.ReceiveDeferredMessagesAsync([1]));

        // The message is still there for a session receiver.
        await using var session = await fixture.Client.AcceptNextSessionAsync(queue, Wait(Patience));
        Assert.Equal("m1", (await session.ReceiveMessageAsync(TimeSpan.Zero))?.MessageId);
    }

    [Fact]
    public async Task RuntimePropertiesCountSessionMessages()
    {
        var queue = await _admin.CreateSessionQueueAsync();
        await fixture.Client.CreateSender(queue).SendMessagesAsync([SessionMessage("a1", "a"), SessionMessage("b1", "b"), SessionMessage("a2", "a")]);

        var properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.ActiveMessageCount == 3 && properties.TotalMessageCount == 3, Describe(properties));

        await using var receiver = await fixture.Client.AcceptSessionAsync(queue, "a");
        var message = await receiver.ReceiveMessageAsync(TimeSpan.Zero);
        await receiver.CompleteMessageAsync(message!);
        properties = await _admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.ActiveMessageCount == 2 && properties.TotalMessageCount == 2, Describe(properties));
    }
}
