using Loire.Client;
using Loire.Client.Administration;
using Loire.Tests.Infrastructure;
using Loire.Tests.Topics;
using static Loire.Tests.Queues.QueueTestKit;
using static Loire.Tests.Sessions.SessionTestKit;

namespace Loire.Tests.Sessions;

[Collection(ClusterCollection.Name)]
public sealed class SessionSubscriptionTests(ClusterFixture fixture)
{
    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    [Fact]
    public async Task SessionSubscriptionDeliversPerSessionInOrder()
    {
        var topic = await _admin.CreateFreshTopicAsync("sessions");
        await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "ordered") { RequiresSession = true });
        await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "plain"));
        var sender = fixture.Client.CreateSender(topic);
        await sender.SendMessagesAsync([SessionMessage("x1", "x"), SessionMessage("y1", "y"), SessionMessage("x2", "x")]);

        await using var x = await fixture.Client.AcceptNextSessionAsync(topic, "ordered", Wait(Patience));
        Assert.Equal("x", x.SessionId);
        Assert.Equal(["x1", "x2"], (await ReceiveInOrderAsync(x, 2)).Select(m => m.MessageId));
        await using var y = await fixture.Client.AcceptSessionAsync(topic, "ordered", "y");
        Assert.Equal("y1", (await y.ReceiveMessageAsync(Patience))?.MessageId);
        await ThrowsLoireAsync(LoireErrorReason.SessionCannotBeLocked, () => fixture.Client.AcceptSessionAsync(topic, "ordered", "y"));

        // The plain subscription of the same topic is unaffected.
        Assert.Equal(["x1", "x2", "y1"], await TopicTestKit.DrainIdsAsync(fixture.Client, topic, "plain", 3));
    }

    [Fact]
    public async Task PublishingWithoutSessionIdToATopicWithASessionSubscriptionIsRefusedEverywhere()
    {
        var topic = await _admin.CreateFreshTopicAsync("sessions");
        await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "ordered") { RequiresSession = true });
        await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "plain"));

        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument,
            () => fixture.Client.CreateSender(topic).SendMessagesAsync([SessionMessage("ok", "s"), SessionMessage("bad", null)]));

        Assert.Equal(0, (await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "ordered")).TotalMessageCount);
        Assert.Equal(0, (await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "plain")).TotalMessageCount);
        await using var plain = fixture.Client.CreateReceiver(topic, "ordered");
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument, () => plain.ReceiveMessageAsync(TimeSpan.Zero));
    }
}
