using Loire.Client;
using Loire.Grains.Hosting;
using Loire.Storage;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace Loire.Tests.Infrastructure;

/// <summary>
/// One in-process Orleans cluster (a single silo on the embedded store in a temp folder) shared by the tests of
/// a collection. Tests use their own entity names, so they do not see each other's messages. A fixture for tests
/// that need other broker settings derives from it.
/// </summary>
public class ClusterFixture : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "loire-tests-" + Guid.NewGuid().ToString("N"));

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public LoireClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var dataDirectory = _dataDirectory;
        var builder = new InProcessTestClusterBuilder(initialSilosCount: 1);
        builder.ConfigureSilo((_, silo) => silo.AddLoire(o =>
        {
            o.DataDirectory = dataDirectory;
            // Tests measure behaviour, not disk latency.
            o.Durability = SqliteDurability.Normal;
            o.MaxMessageSizeBytes = 256 * 1024;
            ConfigureBroker(o);
        }));
        // As the gateway client does: a cancelled receive's answer reaches the caller instead of being dropped.
        builder.ConfigureClient(client => ConfigureClient(client
            .Configure<ClientMessagingOptions>(o => o.WaitForCancellationAcknowledgement = true)
            .AddOutgoingGrainCallFilter(SettleCallGate.FilterAsync)));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        Client = new LoireClient(Cluster.Client);
    }

    /// <summary>Changes the silo's broker settings after the shared ones.</summary>
    protected virtual void ConfigureBroker(LoireBrokerOptions options)
    {
    }

    /// <summary>Adds to the Orleans client's configuration (filters, say).</summary>
    protected virtual void ConfigureClient(IClientBuilder client)
    {
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
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
