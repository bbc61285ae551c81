using Loire.Client;
using Loire.Client.Administration;
using Loire.Tests.Infrastructure;
using static Loire.Tests.Queues.QueueTestKit;
using static Loire.Tests.Routing.RoutingTestKit;

namespace Loire.Tests.Routing;

/// <summary>
/// Duplicate history across a silo restart: each test runs its own single-silo cluster on its own data folder,
/// stops it (the store closes) and starts a new one on the same folder.
/// </summary>
public sealed class DuplicateDetectionRestartTests : RestartableClusterTest
{
    [Fact]
    public async Task QueueHistorySurvivesASiloRestart()
    {
        var admin = Client.CreateAdministrationClient();
        var queue = await admin.NewQueueAsync("q", o => o.RequiresDuplicateDetection = true);
        long first;
        await using (var sender = Client.CreateSender(queue))
        {
            first = await sender.ScheduleMessageAsync(Message("m"), DateTimeOffset.UtcNow.AddMinutes(10));
        }

        await Silo.RestartAsync();

        admin = Client.CreateAdministrationClient();
        await using var again = Client.CreateSender(queue);
        Assert.Equal(first, await again.ScheduleMessageAsync(Message("m"), DateTimeOffset.UtcNow.AddMinutes(10)));
        await again.SendMessageAsync(Message("n"));
        var properties = await admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.True(properties.TotalMessageCount == 2 && properties.ScheduledMessageCount == 1, Describe(properties));
    }

    [Fact]
    public async Task TopicHistorySurvivesASiloRestart()
    {
        var admin = Client.CreateAdministrationClient();
        var topic = await admin.NewTopicAsync("t", o => o.RequiresDuplicateDetection = true);
        await admin.CreateSubscriptionAsync(topic, "s");
        await using (var sender = Client.CreateSender(topic))
        {
            await sender.SendMessageAsync(Message("e"));
        }

        await Silo.RestartAsync();

        await using var again = Client.CreateSender(topic);
        await again.SendMessageAsync(Message("e"));
        await again.SendMessageAsync(Message("f"));
        Assert.Equal(["e", "f"], Ids(await DrainAsync(Client, topic, "s", 2)));
    }
}
