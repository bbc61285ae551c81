using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using Loire.Client;
using Loire.Client.Security;
using Loire.Grains.Hosting;
using Loire.Grains.Security;
using Loire.Security;
using Loire.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace Loire.Tests.Security;

/// <summary>
/// A one-silo cluster (a real host on loopback ports: the test cluster's in-memory transport takes no gateway clients)
/// with shared access authorisation on (namespace rules root/Manage, sender/Send, listener/Listen),
/// and gateway clients holding each key. Tests use their own entity names.
/// </summary>
public sealed class SecuredClusterFixture : IAsyncLifetime
{
    public static readonly SharedAccessAuthorizationRule Root = new("root", NewKey(), NewKey(), AccessRights.Manage);
    public static readonly SharedAccessAuthorizationRule Sender = new("sender", NewKey(), null, AccessRights.Send);
    public static readonly SharedAccessAuthorizationRule Listener = new("listener", NewKey(), null, AccessRights.Listen);
    public static readonly SharedAccessAuthorizationRule[] Rules = [Root, Sender, Listener];

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "loire-secured-" + Guid.NewGuid().ToString("N"));
    private readonly List<LoireClient> _clients = [];

    public const string ClusterId = "secured";

    private IHost _silo = null!;

    public IServiceProvider SiloServices => _silo.Services;

    public AuditCapture Audit { get; } = new();

    public LoireClient Admin { get; private set; } = null!;

    public LoireClient SenderClient { get; private set; } = null!;

    public LoireClient ListenerClient { get; private set; } = null!;

    public LoireClient Anonymous { get; private set; } = null!;

    public NamespaceAccessRules NamespaceRules => SiloServices.GetRequiredService<NamespaceAccessRules>();

    public string Gateway { get; private set; } = "";

    public static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public async Task InitializeAsync()
    {
        var (siloPort, gatewayPort) = (LoopbackPorts.Free(), LoopbackPorts.Free());
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddProvider(Audit);
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(siloPort, gatewayPort, serviceId: ClusterId, clusterId: ClusterId)
            .AddLoire(o =>
            {
                o.DataDirectory = _dataDirectory;
                o.Durability = SqliteDurability.Normal;
            })
            .AddLoireSharedAccess(Rules));
        _silo = builder.Build();
        await _silo.StartAsync();
        Audit.ListenTo(SiloServices.GetRequiredService<IMeterFactory>());
        Gateway = $"127.0.0.1:{gatewayPort}";
        Admin = Connect(KeyProvider(Root));
        SenderClient = Connect(KeyProvider(Sender));
        ListenerClient = Connect(KeyProvider(Listener));
        Anonymous = Connect(null);
    }

    public static LoireTokenProvider KeyProvider(SharedAccessAuthorizationRule rule, string? entityPath = null) =>
        LoireTokenProvider.CreateSharedAccessKeyProvider(rule.KeyName, rule.PrimaryKey, entityPath);

    /// <summary>A client through the gateway with <paramref name="tokens"/>; disposed with the fixture.</summary>
    public LoireClient Connect(LoireTokenProvider? tokens)
    {
        var options = new LoireClientOptions
        {
            Gateways = { Gateway },
            ClusterId = ClusterId,
            ServiceId = ClusterId,
            TokenProvider = tokens,
            OperationTimeout = TimeSpan.FromSeconds(10),
        };
        var client = new LoireClient(options);
        lock (_clients)
        {
            _clients.Add(client);
        }

        return client;
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        await _silo.StopAsync();
        _silo.Dispose();
        Audit.Dispose();
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
public sealed class SecuredClusterCollection : ICollectionFixture<SecuredClusterFixture>
{
    public const string Name = "secured cluster";
}
