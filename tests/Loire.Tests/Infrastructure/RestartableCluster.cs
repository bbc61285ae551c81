using Loire.Client;
using Loire.Grains.Hosting;
using Loire.Storage;
using Orleans.TestingHost;

namespace Loire.Tests.Infrastructure;

/// <summary>
/// A single-silo cluster on a data folder of its own that a test can stop (the store closes) and start again on the
/// same folder, to check what the store holds. The folder is deleted on dispose.
/// </summary>
public sealed class RestartableCluster : IAsyncDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "loire-restartable-" + Guid.NewGuid().ToString("N"));
    private InProcessTestCluster? _cluster;
    private LoireClient? _client;

    public InProcessTestCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster is not running.");

    public LoireClient Client => _client ?? throw new InvalidOperationException("The cluster is not running.");

    public async Task StartAsync()
    {
        var dataDirectory = _dataDirectory;
        var builder = new InProcessTestClusterBuilder(initialSilosCount: 1);
        builder.ConfigureSilo((_, silo) => silo.AddLoire(o =>
        {
            o.DataDirectory = dataDirectory;
            o.Durability = SqliteDurability.Normal;
            o.MaxMessageSizeBytes = 256 * 1024;
        }));
        _cluster = builder.Build();
        await _cluster.DeployAsync();
        _client = new LoireClient(_cluster.Client);
    }

    public async Task StopAsync()
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

    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    public async ValueTask DisposeAsync()
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
}
