using Loire.Client;
using Loire.Grains.Hosting;
using Loire.Storage;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace Loire.Tests.Processing;

/// <summary>
/// Like <see cref="Infrastructure.ClusterFixture"/>, but the client waits for the silo to acknowledge a cancelled call
/// (<see cref="MessagingOptions.WaitForCancellationAcknowledgement"/>), so a cancelled long poll that had already
/// taken messages still hands them to the caller instead of dropping the answer.
/// </summary>
public sealed class CancellationAcknowledgingClusterFixture : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "loire-tests-ack-" + Guid.NewGuid().ToString("N"));

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public LoireClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var dataDirectory = _dataDirectory;
        var builder = new InProcessTestClusterBuilder(initialSilosCount: 1);
        builder.ConfigureSilo((_, silo) => silo.AddLoire(o =>
        {
            o.DataDirectory = dataDirectory;
            o.Durability = SqliteDurability.Normal;
        }));
        builder.ConfigureClient(client => client.Configure<ClientMessagingOptions>(o => o.WaitForCancellationAcknowledgement = true));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        Client = new LoireClient(Cluster.Client);
    }

    public async Task DisposeAsync()
    {
        await Client.DisposeAsync();
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

[CollectionDefinition(Name)]
public sealed class CancellationAcknowledgingClusterCollection : ICollectionFixture<CancellationAcknowledgingClusterFixture>
{
    public const string Name = "cluster-cancellation-ack";
}
