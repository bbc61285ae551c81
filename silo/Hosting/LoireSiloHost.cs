using System.Diagnostics.Metrics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Loire.Grains.Hosting;
using Loire.Silo.Amqp;
using Loire.Silo.Configuration;
using Loire.Silo.Health;
using Loire.Silo.Management;
using Loire.Silo.Scaling;
using Loire.Silo.Amqp.Security;
using Loire.Silo.Security;
using Loire.Silo.WebConsole;
using Loire.Storage;
using Loire.Storage.Redis;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging.Console;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Runtime;
using StackExchange.Redis;

namespace Loire.Silo.Hosting;

/// <summary>One silo process: the Orleans silo with the Loire grains, and its HTTP endpoints.</summary>
public sealed class LoireSiloHost : IAsyncDisposable
{
    /// <summary>Grains deactivate and the store flushes within this time after SIGTERM.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);

    private readonly WebApplication _app;
    private readonly ILogger _logger;

    private LoireSiloHost(WebApplication app, LoireSiloOptions options)
    {
        _app = app;
        Options = options;
        _logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(SiloLog.Category);
    }

    public LoireSiloOptions Options { get; }

    /// <summary>Builds the silo from <paramref name="args"/>; throws <see cref="SiloConfigurationException"/> on bad settings.</summary>
    public static LoireSiloHost Create(string[] args)
    {
        // Args are not given to the builder: the web defaults would read them as host settings without the switch mappings.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.UseSiloSources(args);
        var options = LoireSiloOptionsBinder.Bind(builder.Configuration);
        var endpoints = SiloEndpoints.Resolve(options);
        var certificate = SiloTls.Load(options);
        CreateDataDirectory(options);

        ConfigureLogging(builder.Logging);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = ShutdownTimeout);
        builder.WebHost.ConfigureKestrel(kestrel => Listen(kestrel, options, certificate));
        builder.UseOrleans(silo => ConfigureSilo(silo, options, endpoints, certificate));
        builder.Services.AddSiloTelemetry(options);
        builder.Services.AddSiloHealthChecks();
        builder.Services.AddManagementApi();
        if (options.AmqpPort is { } amqpPort)
        {
            builder.Services.AddSingleton<IAmqpAccessControl, SharedAccessAmqpAccessControl>();
            builder.Services.AddAmqpFrontDoor(amqp =>
            {
                amqp.ListenAddress = endpoints.Listen ?? IPAddress.Any;
                amqp.Port = amqpPort;
                amqp.MaxMessageSize = options.MaxMessageSize;
            });
        }

        var app = builder.Build();
        app.UseRouting();
        app.UseSiloSecurity();
        app.MapGet("/", () => Results.Redirect(ConsoleEndpoints.Path));
        app.MapConsole();
        app.MapOrleansDashboard(routePrefix: "/dashboard");
        app.MapPrometheusScrapingEndpoint();
        app.MapSiloHealthChecks();
        app.MapScalerEndpoints();
        app.MapManagementApi();
        return new LoireSiloHost(app, options);
    }

    /// <summary>Runs until SIGTERM or Ctrl-C; returns the process exit code.</summary>
    public async Task<int> RunAsync()
    {
        var store = Options.Cluster == ClusterMode.Redis
            ? $"redis {Options.Redis}"
            : $"embedded {Options.DataDirFullPath} ({Options.Durability} durability)";
        SiloLog.LogStarting(_logger, Options.Cluster, Options.ClusterId, Options.ServiceId, Options.SiloPort, Options.GatewayPort, store);
        SiloLog.LogGrainStorage(_logger, SiloGrainStorage.Describe(Options));
        if (Options.OtlpEndpoint is { } otlp)
        {
            var endpoint = SiloTelemetry.TracesEndpoint(new Uri(otlp), Options.OtlpProtocol);
            var sources = Options.TraceOrleans ? string.Join(", ", [SiloTelemetry.LoireMeterName, .. SiloTelemetry.OrleansActivitySources]) : SiloTelemetry.LoireMeterName;
            // Scheme, host and path only: user info in the URL stays out of the log.
            SiloLog.LogTracing(_logger, sources, Options.OtlpProtocol, $"{endpoint.Scheme}://{endpoint.Authority}{endpoint.AbsolutePath}");
        }

        var portsInUse = OrleansPortProbe.FindPortsInUse(Options);
        foreach (var (setting, port) in portsInUse)
        {
            SiloLog.LogPortInUse(_logger, setting.Flag, port);
        }

        if (portsInUse.Count > 0)
        {
            return 1;
        }

        if (Options.EffectiveGrainStorage == GrainStorageKind.Azure
            && await AzureTableProbe.FindProblemAsync(Options.AzureStorage!, SiloGrainStorage.AzureTableName, CancellationToken.None) is { } problem)
        {
            SiloLog.LogGrainStorageUnavailable(_logger, SiloGrainStorage.Describe(Options), problem);
            return 1;
        }

        if (_app.Services.GetRequiredService<IMessageStore>() is RedisMessageStore redisStore)
        {
            // Warns (and the silo still starts) when Redis would lose acknowledged sends in a crash.
            await redisStore.CheckDurabilityAsync(CancellationToken.None);
        }

        try
        {
            // Orleans' hosted service completes its start, gateway included, before StartAsync returns.
            await _app.StartAsync();
        }
        catch (Exception e)
        {
            SiloLog.LogStartFailed(_logger, e);
            return 1;
        }

        var gateway = _app.Services.GetRequiredService<ILocalSiloDetails>().GatewayAddress.Endpoint;
        SiloReadyLine.Write(Console.Out, gateway.ToString(), string.Join(",", _app.Urls), Options.DataDirFullPath);
        _app.Lifetime.ApplicationStopping.Register(() => SiloLog.LogStopping(_logger));
        await _app.WaitForShutdownAsync();
        SiloLog.LogStopped(_logger);
        return 0;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private static void ConfigureSilo(ISiloBuilder silo, LoireSiloOptions options, SiloEndpoints endpoints, X509Certificate2? certificate)
    {
        if (options.Cluster == ClusterMode.Redis)
        {
            ConfigureRedisCluster(silo, options, endpoints);
        }
        else
        {
            silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);

            // Still advertised on loopback, where the in-process membership expects it; listening on every
            // interface lets a single silo in a container take clients through a published port.
            silo.Configure<EndpointOptions>(e => endpoints.ApplyTo(e, options.SiloPort, options.GatewayPort));
        }

        SiloGrainStorage.Add(silo, options);
        silo.AddLoire(broker =>
        {
            broker.DataDirectory = options.DataDirFullPath;
            broker.MaxMessageSizeBytes = checked((int)options.MaxMessageSize);
            broker.Durability = options.Durability;
            broker.EntityIdleTimeout = TimeSpan.FromSeconds(options.EntityIdleTimeout);
            broker.DeliveryLinkLease = TimeSpan.FromSeconds(options.DeliveryLinkLease);
            broker.DepthExportInterval = TimeSpan.FromSeconds(options.DepthInterval);
            broker.MaxExportedEntities = checked((int)options.MetricsMaxEntities);
            if (options.Cluster == ClusterMode.Redis)
            {
                broker.StoreFactory = services => CreateRedisStore(services, options);
            }
        });
        SiloSecurity.Add(silo, options);
        if (certificate is not null)
        {
            SiloTls.Add(silo, certificate);
        }

        silo.AddActivityPropagation();
        silo.AddDashboard();
    }

    /// <summary>
    /// The message store every silo of the cluster shares, in the same Redis as the membership table; its keys start
    /// with the service id, as Orleans' own keys do, so several services can share one Redis. A send is acknowledged
    /// once Redis has it; it survives a Redis crash only with <c>appendonly yes</c> and <c>appendfsync always</c>.
    /// </summary>
    private static IMessageStore CreateRedisStore(IServiceProvider services, LoireSiloOptions options) =>
        new RedisMessageStore(
            new RedisMessageStoreOptions { Configuration = options.Redis!, KeyPrefix = $"{options.ServiceId}:" },
            services.GetRequiredService<ILogger<RedisMessageStore>>(),
            services.GetService<IMeterFactory>());

    /// <summary>Silos that find each other, and fail over, through one Redis.</summary>
    private static void ConfigureRedisCluster(ISiloBuilder silo, LoireSiloOptions options, SiloEndpoints endpoints)
    {
        var redis = options.Redis ?? throw new InvalidOperationException("--cluster redis without --redis passed validation.");
        if (options.Kubernetes)
        {
            // Registered before Loire's ClusterOptions so those win over ORLEANS_SERVICE_ID/ORLEANS_CLUSTER_ID: the
            // message store's key prefix is the Loire service id. Kubernetes hosting then labels the pod with both ids.
            silo.UseKubernetesHosting();
        }

        silo.Configure<ClusterOptions>(cluster =>
        {
            cluster.ClusterId = options.ClusterId;
            cluster.ServiceId = options.ServiceId;
        });

        // By default silo and gateway listen on, and advertise, loopback only: the cluster lives on one machine.
        // Containers listen on every interface and advertise their own address (--listen-address, --advertise-address).
        silo.Configure<EndpointOptions>(e => endpoints.ApplyTo(e, options.SiloPort, options.GatewayPort));
        silo.UseRedisClustering(clustering => clustering.ConfigurationOptions = ConfigurationOptions.Parse(redis));

        // Fast failover (issue target: serving again within 5 s of a kill -9). The defaults (5 s probes, 3 misses)
        // take about 12.5 s to declare a silo dead. Here each silo probes its peers every 1 s (ProbeTimeout; the
        // effective timeout adapts between 0.5 s and 4 s), suspects a peer after 3 missed probes, and a single
        // suspicion kills it while the cluster is 2 silos (Orleans caps the 2 votes needed at a majority of the active
        // silos); from 3 silos up, 2 silos must agree. Votes expire after 10 s so a stale suspicion
        // never adds to a new one. Together: a killed silo is declared dead about 3-4 s after it stops answering.
        // Each silo also writes "I am alive" to the table every 5 s; a silo starting after the whole cluster died waits
        // until the dead silos have missed 3 of those writes (15 s) before it joins without them.
        silo.Configure<ClusterMembershipOptions>(membership =>
        {
            membership.ProbeTimeout = TimeSpan.FromSeconds(1);
            membership.NumMissedProbesLimit = 3;
            membership.NumVotesForDeathDeclaration = 2;
            membership.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(10);
            membership.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
            membership.TableRefreshTimeout = TimeSpan.FromSeconds(5);
        });

        // Placement: the default, ResourceOptimizedPlacement, favours the silo that receives the first call, which
        // is the client's gateway silo; with few clients a whole cluster's queues then end up on one or two silos
        // (STACK.md pitfall 6). Random placement spreads new activations evenly over the compatible silos, never
        // pins, and costs nothing extra since every silo reads the same shared store. Cluster mode only: a single
        // silo has nothing to spread over.
        silo.Services.AddSingleton<PlacementStrategy, RandomPlacement>();
    }

    private static void ConfigureLogging(ILoggingBuilder logging)
    {
        // appsettings.json carries the same levels; these apply when it is missing or has no Logging section.
        logging.ClearProviders();
        logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss.fff ";
        });
        logging.Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Error);
        logging.SetMinimumLevel(LogLevel.Warning);
        logging.AddFilter("Loire", LogLevel.Information);
        // Orleans' GrainService base class logs every ring change at Information under the service's class name.
        logging.AddFilter("Loire.Grains.Traffic.EntityTrafficService", LogLevel.Warning);
    }

    private static void Listen(KestrelServerOptions kestrel, LoireSiloOptions options, X509Certificate2? certificate)
    {
        if (IPAddress.TryParse(options.HttpHost, out var address))
        {
            kestrel.Listen(address, options.HttpPort, listen => SiloTls.UseHttps(listen, certificate));
        }
        else
        {
            kestrel.ListenLocalhost(options.HttpPort, listen => SiloTls.UseHttps(listen, certificate));
        }
    }

    private static void CreateDataDirectory(LoireSiloOptions options)
    {
        try
        {
            Directory.CreateDirectory(options.DataDirFullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SiloConfigurationException([$"cannot create {SiloSettings.DataDir.DisplayName} '{options.DataDirFullPath}': {e.Message}"]);
        }
    }
}
