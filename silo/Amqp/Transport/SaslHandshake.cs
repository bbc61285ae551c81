using System.Buffers.Binary;
using System.Text;
using Amqp;
using Amqp.Sasl;
using Amqp.Types;
using Loire.Silo.Amqp.Security;
using Encoder = Amqp.Types.Encoder;
using ErrorCode = Amqp.ErrorCode;

namespace Loire.Silo.Amqp.Transport;

/// <summary>
/// The server side of AMQP's SASL layer (AMQP 1.0 part 5.3), done before the library sees the connection so the
/// identity belongs to this connection alone and credentials may be checked asynchronously. Offers PLAIN, and
/// ANONYMOUS while the access control allows it; a client that skips SASL is let in only then too.
/// </summary>
internal static class SaslHandshake
{
    public const string Plain = "PLAIN";
    public const string Anonymous = "ANONYMOUS";

    private const int HeaderSize = 8;
    private const int MaxFrameSize = 64 * 1024;
    private const byte SaslFrameType = 1;
    private static readonly byte[] SaslHeader = "AMQP\u0003\u0001\u0000\u0000"u8.ToArray();
    private static readonly byte[] AmqpHeader = "AMQP\u0000\u0001\u0000\u0000"u8.ToArray();

    /// <summary>What came of the exchange: the identity, or null when the connection must be closed; and the header to replay.</summary>
    public readonly record struct Result(AmqpIdentity? Identity, byte[]? Replay, string? Failure);

    public static async Task<Result> RunAsync(Stream stream, IAmqpAccessControl access, CancellationToken cancellationToken)
    {
        var header = new byte[HeaderSize];
        await stream.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
        if (header.AsSpan().SequenceEqual(AmqpHeader))
        {
            if (access.AllowsAnonymous)
            {
                return new Result(AmqpIdentity.Anonymous("NONE"), header, null);
            }

            // The spec's way to say "SASL required": answer with the SASL header and close.
            await stream.WriteAsync(SaslHeader, cancellationToken).ConfigureAwait(false);
            return new Result(null, null, "the client skipped SASL, and authentication is required");
        }

        if (!header.AsSpan().SequenceEqual(SaslHeader))
        {
            await stream.WriteAsync(SaslHeader, cancellationToken).ConfigureAwait(false);
            return new Result(null, null, "the client sent an unsupported protocol header");
        }

        Symbol[] mechanisms = access.AllowsAnonymous ? [Plain, Anonymous] : [Plain];
        await stream.WriteAsync(SaslHeader, cancellationToken).ConfigureAwait(false);
        await WriteFrameAsync(stream, new SaslMechanisms { SaslServerMechanisms = mechanisms }, cancellationToken).ConfigureAwait(false);

        var init = await ReadFrameAsync(stream, cancellationToken).ConfigureAwait(false) as SaslInit
            ?? throw new AmqpException(ErrorCode.NotAllowed, "Expected sasl-init.");
        var identity = await AuthenticateAsync(init, access, cancellationToken).ConfigureAwait(false);
        await WriteFrameAsync(stream, new SaslOutcome { Code = identity is null ? SaslCode.Auth : SaslCode.Ok }, cancellationToken).ConfigureAwait(false);
        return identity is null
            ? new Result(null, null, $"SASL {init.Mechanism} authentication failed")
            : new Result(identity, null, null);
    }

    private static async ValueTask<AmqpIdentity?> AuthenticateAsync(SaslInit init, IAmqpAccessControl access, CancellationToken cancellationToken)
    {
        string mechanism = init.Mechanism;
        if (string.Equals(mechanism, Anonymous, StringComparison.Ordinal))
        {
            return access.AllowsAnonymous ? AmqpIdentity.Anonymous(Anonymous) : null;
        }

        if (!string.Equals(mechanism, Plain, StringComparison.Ordinal))
        {
            return null;
        }

        // RFC 4616: [authzid] NUL authcid NUL passwd.
        var parts = Encoding.UTF8.GetString(init.InitialResponse ?? []).Split('\0');
        return parts.Length == 3 ? await access.AuthenticateAsync(parts[1], parts[2], cancellationToken).ConfigureAwait(false) : null;
    }

    private static async Task WriteFrameAsync(Stream stream, DescribedList command, CancellationToken cancellationToken)
    {
        var body = new ByteBuffer(128, true);
        Encoder.WriteObject(body, command);
        var frame = new byte[HeaderSize + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)frame.Length);
        frame[4] = 2; // data offset, in 4-byte words
        frame[5] = SaslFrameType;
        body.Buffer.AsSpan(body.Offset, body.Length).CopyTo(frame.AsSpan(HeaderSize));
        await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<object?> ReadFrameAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[HeaderSize];
        await stream.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
        var size = BinaryPrimitives.ReadUInt32BigEndian(header);
        var dataOffset = header[4] * 4;
        if (size > MaxFrameSize || dataOffset < HeaderSize || dataOffset > size || header[5] != SaslFrameType)
        {
            throw new AmqpException(ErrorCode.FramingError, "Malformed SASL frame.");
        }

        var frame = new byte[size - HeaderSize];
        await stream.ReadExactlyAsync(frame, cancellationToken).ConfigureAwait(false);
        var bodyOffset = dataOffset - HeaderSize;
        _ = new SaslInit(); // registers the SASL performatives with the decoder
        return Encoder.ReadObject(new ByteBuffer(frame, bodyOffset, frame.Length - bodyOffset, frame.Length));
    }
}
