using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Serialization.Buffers;
using Orleans.Serialization.Codecs;
using Orleans.Serialization.Session;

namespace Loire.Tests.Security;

/// <summary>
/// Orleans client connection middleware playing a hand-written client: it rewrites the sending grain of the
/// requests <see cref="Forge"/> picks, in the bytes the client sends (Orleans 10's frame layout: int32 header and
/// body lengths, then flags, correlation id, sending grain type and key, target grain type and key, ...).
/// </summary>
public sealed class SenderForgingConnection
{
    private const int Framing = 8;
    private const int SenderOffset = 12;

    /// <summary>The sender to put on a message from the given sender to the given target, or null to send it as it is.</summary>
    public volatile Func<GrainId, GrainId, GrainId?>? Forge;

    /// <summary>The client id to announce in the connection preamble instead of the client's own, if any.</summary>
    public GrainId? ConnectAs { get; init; }

    public void Configure(IConnectionBuilder connection)
    {
        var services = connection.ApplicationServices;
        connection.Use(next => context => RunAsync(context, next, services));
    }

    private async Task RunAsync(ConnectionContext context, ConnectionDelegate next, IServiceProvider services)
    {
        var transport = context.Transport;
        var outgoing = new Pipe();
        context.Transport = new Duplex(transport.Input, outgoing.Writer);
        var pump = PumpAsync(outgoing.Reader, transport.Output, services);
        try
        {
            await next(context);
        }
        finally
        {
            context.Transport = transport;
            await outgoing.Writer.CompleteAsync();
            await pump;
        }
    }

    private async Task PumpAsync(PipeReader from, PipeWriter to, IServiceProvider services)
    {
        var sessions = services.GetRequiredService<SerializerSessionPool>();
        var preambleSent = false;
        try
        {
            while (true)
            {
                var result = await from.ReadAsync();
                var buffer = result.Buffer;
                while (TakeFrame(ref buffer, preambleSent ? Framing : 4) is { } frame)
                {
                    to.Write(preambleSent ? Rewrite(frame, sessions) : ConnectAs is { } id ? RewritePreamble(frame, id, services) : frame);
                    preambleSent = true;
                }

                await to.FlushAsync();
                from.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ConnectionResetException or OperationCanceledException)
        {
            // The gateway closed the connection.
        }
        finally
        {
            await from.CompleteAsync();
        }
    }

    /// <summary>A whole preamble (<paramref name="framing"/> 4) or message (8) from the start of <paramref name="buffer"/>.</summary>
    private static byte[]? TakeFrame(ref ReadOnlySequence<byte> buffer, int framing)
    {
        if (buffer.Length < framing)
        {
            return null;
        }

        var lengths = buffer.Slice(0, framing).ToArray();
        var length = framing + (long)BinaryPrimitives.ReadInt32LittleEndian(lengths) + (framing == Framing ? BinaryPrimitives.ReadInt32LittleEndian(lengths.AsSpan(4)) : 0);
        if (buffer.Length < length)
        {
            return null;
        }

        var frame = buffer.Slice(0, length).ToArray();
        buffer = buffer.Slice(length);
        return frame;
    }

    private byte[] Rewrite(byte[] frame, SerializerSessionPool sessions)
    {
        var headerLength = BinaryPrimitives.ReadInt32LittleEndian(frame);
        var header = frame.AsSpan(Framing, headerLength);
        int senderLength;
        GrainId original, target;
        using (var session = sessions.GetSession())
        {
            var reader = Reader.Create(header[SenderOffset..], session);
            original = ReadGrainId(ref reader);
            senderLength = (int)reader.Position;
            target = ReadGrainId(ref reader);
        }

        if (Forge?.Invoke(original, target) is not { } sender)
        {
            return frame;
        }

        var forged = new ArrayBufferWriter<byte>();
        using (var session = sessions.GetSession())
        {
            var writer = Writer.Create(forged, session);
            IdSpanCodec.WriteRaw(ref writer, sender.Type.Value);
            IdSpanCodec.WriteRaw(ref writer, sender.Key);
            writer.Commit();
        }

        byte[] rewritten = [.. frame.AsSpan(0, Framing), .. header[..SenderOffset], .. forged.WrittenSpan,
            .. header[(SenderOffset + senderLength)..], .. frame.AsSpan(Framing + headerLength)];
        BinaryPrimitives.WriteInt32LittleEndian(rewritten, headerLength - senderLength + forged.WrittenCount);
        return rewritten;
    }

    /// <summary>The preamble with another client id; its type is internal to Orleans, hence the reflection.</summary>
    private static byte[] RewritePreamble(byte[] frame, GrainId id, IServiceProvider services)
    {
        var type = typeof(Orleans.Messaging.IGatewayListProvider).Assembly.GetType("Orleans.Runtime.Messaging.ConnectionPreamble", throwOnError: true)!;
        var serializer = services.GetRequiredService(typeof(Serializer<>).MakeGenericType(type));
        var preamble = serializer.GetType().GetMethod("Deserialize", [typeof(byte[])])!.Invoke(serializer, [frame[4..]]);
        type.GetProperty("NodeIdentity")!.SetValue(preamble, id);
        using var bytes = new MemoryStream();
        serializer.GetType().GetMethod("Serialize", [type, typeof(Stream), typeof(int)])!.Invoke(serializer, [preamble, bytes, 0]);
        var rewritten = new byte[4 + bytes.Length];
        BinaryPrimitives.WriteInt32LittleEndian(rewritten, (int)bytes.Length);
        bytes.ToArray().CopyTo(rewritten, 4);
        return rewritten;
    }

    private static GrainId ReadGrainId(ref Reader<SpanReaderInput> reader)
    {
        var type = IdSpanCodec.ReadRaw(ref reader);
        return GrainId.Create(new GrainType(type), IdSpanCodec.ReadRaw(ref reader));
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
