using Loire.Client;
using Loire.Client.Administration;
using Loire.Tests.Infrastructure;

namespace Loire.Tests.Queues;

[Collection(ClusterCollection.Name)]
public sealed class QueueSmokeTests(ClusterFixture fixture)
{
    [Fact]
    public async Task SentMessageIsReceivedAndCompleted()
    {
        var admin = fixture.Client.CreateAdministrationClient();
        await admin.CreateQueueAsync(new CreateQueueOptions("smoke"));
        await using var sender = fixture.Client.CreateSender("smoke");
        await sender.SendMessageAsync(new LoireMessage("hello"u8.ToArray()) { MessageId = "m-1" });

        await using var receiver = fixture.Client.CreateReceiver("smoke");
        var message = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));

        Assert.NotNull(message);
        Assert.Equal("hello", message.Body.ToString());
        Assert.Equal(1, message.DeliveryCount);
        await receiver.CompleteMessageAsync(message);
        var properties = await admin.GetQueueRuntimePropertiesAsync("smoke");
        Assert.Equal(0, properties.TotalMessageCount);
    }
}
