using System.Net;
using System.Net.Sockets;
using Amqp;
using Amqp.Listener;
using Loire.Client;
using Loire.Silo.Amqp.Security;
using Loire.Silo.Amqp.Transport;
using Microsoft.Extensions.Options;

namespace Loire.Silo.Amqp;

/// <summary>
/// The AMQP 1.0 listener of a silo: accepts TCP connections, runs their SASL exchange, and lets the AMQP library
/// drive the connection, sessions and links; links become senders and receivers of the co-hosted Loire client, so
/// they get the same validation as any .NET client.
/// </summary>
public sealed partial class AmqpFrontDoor(
    LoireClient client,
    IAmqpAccessControl access,
    IOptions<AmqpFrontDoorOptions> options,
    ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    /// <summary>The address scheme the library's listener finds <see cref="AcceptedTransports"/> under.</summary>
    internal const string Scheme = "amqp";

    private readonly AmqpFrontDoorOptions _options = options.Value;
    private readonly ILogger _logger = loggerFactory.CreateLogger<AmqpFrontDoor>();
    private readonly AcceptedTransports _transports = new();
    private readonly CancellationTokenSource _stopping = new();
    private Socket? _socket;
    private ConnectionListener? _listener;
    private Task _acceptLoop = Task.CompletedTask;

    /// <summary>The port the listener is bound to, once started.</summary>
    public int Port { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var socket = new Socket(_options.ListenAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(_options.ListenAddress, _options.Port));
            socket.Listen(128);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _socket = socket;
        Port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        var container = new AmqpContainer(client, access, _options, _transports, loggerFactory);
        _listener = new ConnectionListener(new Address(_options.ListenAddress.ToString(), Port, null, null, "/", Scheme), container);
        _listener.AMQP.ContainerId = $"loire-{Environment.MachineName}-{Port}";
        _listener.Open();
        _acceptLoop = AcceptLoopAsync(socket);
        LogListening(_options.ListenAddress, Port);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _stopping.Cancel();
        _socket?.Dispose();
        await _acceptLoop.ConfigureAwait(false);

        // Closing the listener closes every connection; their links release (abandon) what they hold unsettled.
        _listener?.Close();
        _transports.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync(Socket listening)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await listening.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException && _stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                LogAcceptFailed(e);
                continue;
            }

            accepted.NoDelay = true;
            _ = HandshakeAsync(accepted);
        }
    }

    private async Task HandshakeAsync(Socket socket)
    {
        var stream = new NetworkStream(socket, ownsSocket: true);
        var remote = socket.RemoteEndPoint;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        timeout.CancelAfter(_options.HandshakeTimeout);
        try
        {
            var result = await SaslHandshake.RunAsync(stream, access, timeout.Token).ConfigureAwait(false);
            if (result.Identity is null)
            {
                LogRefused(remote, result.Failure);
                await stream.DisposeAsync().ConfigureAwait(false);
                return;
            }

            LogConnected(remote, result.Identity.Name, result.Identity.Mechanism);
            await _transports.AddAsync(new AmqpStreamTransport(stream, new AmqpPrincipal(result.Identity), result.Replay), _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Whatever a client sent (or did not send in time), this connection only ends; nothing else depends on it.
            LogRefused(remote, e.Message);
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "AMQP 1.0 front door listening on {Address}:{Port}")]
    private partial void LogListening(IPAddress address, int port);

    [LoggerMessage(Level = LogLevel.Debug, Message = "AMQP connection from {Remote} authenticated as {Identity} ({Mechanism})")]
    private partial void LogConnected(EndPoint? remote, string identity, string mechanism);

    [LoggerMessage(Level = LogLevel.Warning, Message = "AMQP connection from {Remote} refused: {Reason}")]
    private partial void LogRefused(EndPoint? remote, string? reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "AMQP listener failed to accept a connection")]
    private partial void LogAcceptFailed(Exception exception);
}
