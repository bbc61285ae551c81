using System.Buffers;
using System.IO.Pipelines;
using System.Reflection;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.Buffers;
using Orleans.Serialization.Codecs;
using Orleans.Serialization.Session;

namespace Loire.Grains.Security;

/// <summary>
/// Gateway connection middleware that holds every client to the id it connected with: a frame that names another
/// sender (a grain, a silo's hosted client, another client) or a connection under a silo's hosted-client id is
/// refused, audited as "forged sender", and the connection closed before Orleans reads the frame.
/// </summary>
/// <remarks>
/// Orleans 10.4.2's gateway sets a client message's sending silo to itself but keeps the sending grain the client
/// wrote (<c>GatewayInboundConnection.OnReceivedMessage</c>), and <see cref="SharedAccessFilter"/> only checks calls
/// whose sender is an external client. Registered after every other gateway middleware (such as TLS), so it sees
/// the plain frames.
/// </remarks>
internal sealed partial class GatewaySenderGuard
{
    /// <summary>The audited operation of a refused frame.</summary>
    public const string Operation = "Gateway.Receive";

    private readonly Func<ReadOnlySequence<byte>, GrainId> _readPreamble;
    private readonly SecurityAudit _audit;
    private readonly ILogger _logger;

    public GatewaySenderGuard(IServiceProvider services, SerializerSessionPool sessions, IOptions<SiloMessagingOptions> messaging,
        SecurityAudit audit, ILogger<GatewaySenderGuard> logger)
    {
        Sessions = sessions;
        MaxHeaderLength = messaging.Value.MaxMessageHeaderSize;
        _audit = audit;
        _logger = logger;
        _readPreamble = PreambleReader(services);
    }

    internal SerializerSessionPool Sessions { get; }

    internal int MaxHeaderLength { get; }

    /// <summary>Adds the guard, innermost, to the gateway connections of a silo.</summary>
    internal static void Add(IServiceCollection services) =>
        services.AddOptions<SiloConnectionOptions>().PostConfigure<GatewaySenderGuard>((connections, guard) =>
            connections.ConfigureGatewayInboundConnection(builder => builder.Use(next => context => guard.OnConnectionAsync(context, next))));

    private async Task OnConnectionAsync(ConnectionContext context, ConnectionDelegate next)
    {
        var transport = context.Transport;
        var check = new ClientFrameCheck(this, context.RemoteEndPoint?.ToString() ?? "unknown");
        context.Transport = new CheckedTransport(new CheckedFramesPipeReader(transport.Input, check), transport.Output);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            context.Transport = transport;
        }
    }

    /// <summary>The client id a connection preamble announces, or null when the bytes are no preamble.</summary>
    internal GrainId? ReadPreambleIdentity(ReadOnlySequence<byte> preamble)
    {
        try
        {
            return _readPreamble(preamble);
        }
        catch (TargetInvocationException)
        {
            return null;
        }
    }

    /// <summary>A grain id as it appears as the sending grain of a message.</summary>
    internal byte[] Encode(GrainId id)
    {
        using var session = Sessions.GetSession();
        var buffer = new ArrayBufferWriter<byte>(64);
        var writer = Writer.Create(buffer, session);
        IdSpanCodec.WriteRaw(ref writer, id.Type.Value);
        IdSpanCodec.WriteRaw(ref writer, id.Key);
        writer.Commit();
        return buffer.WrittenSpan.ToArray();
    }

    internal ForgedSenderException Refuse(GrainId? client, string remote, string what)
    {
        var who = client is { } id ? $"client {id}" : "unknown client";
        _audit.Record(who, Operation, null, AuditResult.Refused, $"forged sender: {what} from {remote}");
        LogForgedSender(_logger, who, what, remote);
        return new ForgedSenderException($"Forged sender: {who} sent {what}; the connection is closed.");
    }

    /// <summary>
    /// Reads the client id from an Orleans connection preamble. The preamble type is internal to Orleans, so it is
    /// found by name once; a renamed type fails the silo at start, not a connection later.
    /// </summary>
    private static Func<ReadOnlySequence<byte>, GrainId> PreambleReader(IServiceProvider services)
    {
        const string PreambleTypeName = "Orleans.Runtime.Messaging.ConnectionPreamble";
        var preambleType = typeof(Orleans.Messaging.IGatewayListProvider).Assembly.GetType(PreambleTypeName)
            ?? throw new InvalidOperationException($"{PreambleTypeName} is not in this Orleans version; the gateway sender guard needs it.");
        var serializer = services.GetRequiredService(typeof(Serializer<>).MakeGenericType(preambleType));
        var deserialize = serializer.GetType().GetMethod(nameof(Serializer<object>.Deserialize), [typeof(ReadOnlySequence<byte>)])
            ?? throw new InvalidOperationException("Serializer<ConnectionPreamble>.Deserialize(ReadOnlySequence<byte>) is missing.");
        var identity = preambleType.GetProperty("NodeIdentity") is { PropertyType: var type } property && type == typeof(GrainId)
            ? property
            : throw new InvalidOperationException($"{PreambleTypeName}.NodeIdentity is missing.");
        return bytes => (GrainId)identity.GetValue(deserialize.Invoke(serializer, [bytes]))!;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closed a gateway connection of {Who} from {Remote}: it sent {What}")]
    private static partial void LogForgedSender(ILogger logger, string who, string what, string remote);

    private sealed class CheckedTransport(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
