using System.Net;
using System.Net.Sockets;
using Loire.Client.Diagnostics;
using Loire.Client.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Connections.Security;
using Orleans.Hosting;

namespace Loire.Client.Internal;

/// <summary>
/// Owns a private Orleans client host connected to the cluster through its gateways. The host is built and started
/// on first use (or by <see cref="LoireClient.ConnectAsync"/>), once, under an async lock: no caller ever blocks a
/// thread on it, so the first call cannot deadlock. A failed start leaves nothing behind and the next call tries again.
/// </summary>
internal sealed partial class GatewayConnection : LoireConnection
{
    /// <summary>How long a gateway the client saw fail stays out of rotation before it is tried again.</summary>
    private static readonly TimeSpan GatewayListRefreshPeriod = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait for a TCP connection to one gateway before the next one is tried.</summary>
    private static readonly TimeSpan MaxOpenConnectionTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long disposing waits for the Orleans client to close gracefully.</summary>
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(10);

    private readonly LoireClientOptions _options;
    private readonly IReadOnlyList<GatewayAddress> _gateways;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly GatewayLossWatch _lossWatch = new();
    private IGrainFactory? _grainFactory;
    private IHost? _host;
    private volatile bool _closed;

    public GatewayConnection(LoireClientOptions options, IReadOnlyList<GatewayAddress> gateways, ILoggerFactory? loggerFactory, ILogger logger)
    {
        _options = options;
        _gateways = gateways;
        _loggerFactory = loggerFactory;
        _logger = logger;
    }

    public override bool IsClosed => _closed;

    public override bool SerializesCalls => true;

    public override CancellationToken GatewayLossToken => _lossWatch.LossToken;

    public override ValueTask<IGrainFactory> GetGrainFactoryAsync(CancellationToken cancellationToken = default)
    {
        var grainFactory = Volatile.Read(ref _grainFactory);
        return grainFactory is not null ? new ValueTask<IGrainFactory>(grainFactory) : ConnectAsync(cancellationToken);
    }

    public override async ValueTask DisposeAsync()
    {
        IHost? host;
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            host = _host;
            _host = null;
            Volatile.Write(ref _grainFactory, null);
        }
        finally
        {
            _gate.Release();
        }

        if (host is not null)
        {
            LogDisconnecting(_logger, _options.ClusterId);
            await StopHostAsync(host).ConfigureAwait(false);
        }
    }

    private async ValueTask<IGrainFactory> ConnectAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_closed, typeof(LoireClient));
            if (_grainFactory is { } connected)
            {
                return connected;
            }

            var gatewayList = string.Join(";", _gateways);
            LogConnecting(_logger, gatewayList, _options.ClusterId, _options.ServiceId);
            var endpoints = await ResolveAsync(cancellationToken).ConfigureAwait(false);
            var host = BuildHost(endpoints);
            try
            {
                await host.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                LogConnectFailed(_logger, gatewayList, exception);
                await StopHostAsync(host).ConfigureAwait(false);
                throw;
            }

            _host = host;
            var grainFactory = host.Services.GetRequiredService<IClusterClient>();
            Volatile.Write(ref _grainFactory, grainFactory);
            LogConnected(_logger, gatewayList, _options.ClusterId);
            return grainFactory;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Orleans' static gateway list takes IP addresses only, so host names are resolved here, IPv4 first.</summary>
    private async Task<IPEndPoint[]> ResolveAsync(CancellationToken cancellationToken = default)
    {
        var endpoints = new List<IPEndPoint>(_gateways.Count);
        foreach (var gateway in _gateways)
        {
            if (IPAddress.TryParse(gateway.Host, out var address))
            {
                endpoints.Add(new IPEndPoint(address, gateway.Port));
                continue;
            }

            try
            {
                var addresses = await Dns.GetHostAddressesAsync(gateway.Host, cancellationToken).ConfigureAwait(false);
                var chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
                if (chosen is null)
                {
                    LogGatewayUnresolved(_logger, gateway.ToString(), null);
                    continue;
                }

                endpoints.Add(new IPEndPoint(chosen, gateway.Port));
            }
            catch (SocketException exception)
            {
                LogGatewayUnresolved(_logger, gateway.ToString(), exception);
            }
        }

        if (endpoints.Count == 0)
        {
            throw new LoireException(
                LoireErrorReason.ServiceCommunicationProblem,
                $"None of the gateway host names ({string.Join(";", _gateways)}) could be resolved.");
        }

        return [.. endpoints.Distinct()];
    }

    private IHost BuildHost(IPEndPoint[] endpoints)
    {
        // No default configuration sources, no console logging, no console lifetime: this host is an
        // implementation detail of the client and must not read the application's settings or signals.
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ApplicationName = "Loire.Client",
            EnvironmentName = Environments.Production,
        });
        builder.Services.AddSingleton<IHostLifetime, DetachedHostLifetime>();
        if (_loggerFactory is not null)
        {
            // Registered as an instance, so the private host never disposes the application's factory.
            builder.Services.Replace(ServiceDescriptor.Singleton(_loggerFactory));
        }

        var options = _options;
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(endpoints);
            client.UseConnectionRetryFilter(new GatewayConnectRetryFilter(endpoints.Length, options.Retry.Delay));
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = options.ClusterId;
                o.ServiceId = options.ServiceId;
            });
            client.Configure<ClientMessagingOptions>(o =>
            {
                o.ResponseTimeout = options.OperationTimeout;

                // A cancelled long poll may already hold messages the grain just locked; waiting for the silo's
                // acknowledgement hands them to the caller instead of dropping them while they stay locked.
                o.WaitForCancellationAcknowledgement = true;
            });
            client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = GatewayListRefreshPeriod);
            client.Configure<ConnectionOptions>(o =>
                o.OpenConnectionTimeout = options.OperationTimeout < MaxOpenConnectionTimeout ? options.OperationTimeout : MaxOpenConnectionTimeout);
            client.AddActivityPropagation();
            if (options.Tls.Enabled)
            {
                UseTls(client, options.Tls, options.Tls.TargetHost ?? _gateways[0].Host);
            }

            if (options.TokenProvider is { } tokenProvider)
            {
                client.AddOutgoingGrainCallFilter(new SharedAccessCallFilter(tokenProvider));
            }

            client.AddClusterConnectionStatusObserver(_lossWatch);
        });
        return builder.Build();
    }

    private static void UseTls(IClientBuilder client, LoireTlsOptions tls, string targetHost) => client.UseTls(o =>
    {
        o.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        o.RemoteCertificateValidation = (certificate, chain, errors) => tls.Accepts(certificate, chain, errors);
        o.OnAuthenticateAsClient = (_, authentication) => authentication.TargetHost = targetHost;
    });

    private async Task StopHostAsync(IHost host, CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ShutdownTimeout);
            await host.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            LogDisconnectFailed(_logger, exception);
        }

        try
        {
            if (host is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                host.Dispose();
            }
        }
        catch (Exception exception)
        {
            LogDisconnectFailed(_logger, exception);
        }
    }

    [LoggerMessage(EventId = (int)LoireClientLogEvent.Connecting, Level = LogLevel.Information,
        Message = "Connecting to Loire cluster {ClusterId}/{ServiceId} through gateways {Gateways}")]
    private static partial void LogConnecting(ILogger logger, string gateways, string clusterId, string serviceId);

    [LoggerMessage(EventId = (int)LoireClientLogEvent.Connected, Level = LogLevel.Information,
        Message = "Connected to Loire cluster {ClusterId} through gateways {Gateways}")]
    private static partial void LogConnected(ILogger logger, string gateways, string clusterId);

    [LoggerMessage(EventId = (int)LoireClientLogEvent.ConnectFailed, Level = LogLevel.Warning,
        Message = "Could not connect to the Loire cluster through gateways {Gateways}")]
    private static partial void LogConnectFailed(ILogger logger, string gateways, Exception exception);

    [LoggerMessage(EventId = (int)LoireClientLogEvent.GatewayUnresolved, Level = LogLevel.Warning,
        Message = "Gateway {Gateway} could not be resolved to an IP address; skipping it")]
    private static partial void LogGatewayUnresolved(ILogger logger, string gateway, Exception? exception);

    [LoggerMessage(EventId = (int)LoireClientLogEvent.Disconnecting, Level = LogLevel.Information,
        Message = "Disconnecting from Loire cluster {ClusterId}")]
    private static partial void LogDisconnecting(ILogger logger, string clusterId);

    [LoggerMessage(EventId = (int)LoireClientLogEvent.DisconnectFailed, Level = LogLevel.Warning,
        Message = "The Orleans client did not shut down cleanly")]
    private static partial void LogDisconnectFailed(ILogger logger, Exception exception);
}
