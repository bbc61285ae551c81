using Loire.Client;
using Loire.Client.Administration;
using Loire.Grains.Hosting;
using Loire.Storage;
using Orleans.TestingHost;
using static Loire.Tests.Queues.QueueTestKit;
using static Loire.Tests.Routing.RoutingTestKit;

namespace Loire.Tests.Routing;

/// <summary>
/// Duplicate history across a silo restart: each test runs its own single-silo cluster on its own data folder,
/// stops it (the store closes) and starts a new one on the same folder.
/// </summary>
public sealed class DuplicateDetectionRestartTests : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "loire-dedup-restart-" + Guid.NewGuid().ToString("N"));
    private InProcessTestCluster? _cluster;
    private LoireClient? _client;

    private LoireClient Client => _client!;

    public Task InitializeAsync() => StartAsync();

    public async Task DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

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

        await StopAsync();
        await StartAsync();

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

        await StopAsync();
        await StartAsync();

        await using var again = Client.CreateSender(topic);
        await again.SendMessageAsync(Message("e"));
        await again.SendMessageAsync(Message("f"));
        Assert.Equal(["e", "f"], Ids(await DrainAsync(Client, topic, "s", 2)));
    }

    private async Task StartAsync()
    {
        var dataDirectory = _dataDirectory;
        var builder = new InProcessTestClusterBuilder(initialSilosCount: 1);
        builder.ConfigureSilo((_, silo) => silo.AddLoire(o =>
        {
            o.DataDirectory = dataDirectory;
            o.Durability = SqliteDurability.Normal;
        }));
        _cluster = builder.Build();
        await _cluster.DeployAsync();
        _client = new LoireClient(_cluster.Client);
    }

    private async Task StopAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
            _client = null;
        }

        if (_cluster is not null)
        {
            await _cluster.StopAllSilosAsync();
            await _cluster.DisposeAsync();
            _cluster = null;
        }
    }
}
