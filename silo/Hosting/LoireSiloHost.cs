using System.Net;
using Loire.Grains.Hosting;
using Loire.Silo.Configuration;
using Loire.Silo.Health;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging.Console;
using Orleans.Dashboard;
using Orleans.Runtime;

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
        CreateDataDirectory(options);

        ConfigureLogging(builder.Logging);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = ShutdownTimeout);
        builder.WebHost.ConfigureKestrel(kestrel => Listen(kestrel, options));
        builder.UseOrleans(silo => ConfigureSilo(silo, options));
        builder.Services.AddSiloTelemetry();
        builder.Services.AddSiloHealthChecks();

        var app = builder.Build();
        app.MapGet("/", () => Results.Redirect("/dashboard/"));
        app.MapOrleansDashboard(routePrefix: "/dashboard");
        app.MapPrometheusScrapingEndpoint();
        app.MapSiloHealthChecks();
        return new LoireSiloHost(app, options);
    }

    /// <summary>Runs until SIGTERM or Ctrl-C; returns the process exit code.</summary>
    public async Task<int> RunAsync()
    {
        SiloLog.LogStarting(_logger, Options.Cluster, Options.ClusterId, Options.ServiceId, Options.SiloPort, Options.GatewayPort,
            Options.DataDirFullPath, Options.Durability);
        var portsInUse = OrleansPortProbe.FindPortsInUse(Options);
        foreach (var (setting, port) in portsInUse)
        {
            SiloLog.LogPortInUse(_logger, setting.Flag, port);
        }

        if (portsInUse.Count > 0)
        {
            return 1;
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

    private static void ConfigureSilo(ISiloBuilder silo, LoireSiloOptions options)
    {
        silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
        silo.AddLoire(broker =>
        {
            broker.DataDirectory = options.DataDirFullPath;
            broker.MaxMessageSizeBytes = checked((int)options.MaxMessageSize);
            broker.Durability = options.Durability;
        });
        silo.AddActivityPropagation();
        silo.AddDashboard();
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
    }

    private static void Listen(KestrelServerOptions kestrel, LoireSiloOptions options)
    {
        if (IPAddress.TryParse(options.HttpHost, out var address))
        {
            kestrel.Listen(address, options.HttpPort);
        }
        else
        {
            kestrel.ListenLocalhost(options.HttpPort);
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
