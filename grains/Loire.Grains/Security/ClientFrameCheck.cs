using System.Buffers;
using System.Buffers.Binary;
using Orleans.Runtime;
using Orleans.Serialization.Buffers;
using Orleans.Serialization.Codecs;
using Orleans.Serialization.Session;

namespace Loire.Grains.Security;

/// <summary>
/// Reads the frames a client sends to a gateway far enough to know who sends them: the connection preamble (the
/// client id the connection is for) and, in each message header, the sending grain, which must be that client or
/// one of its observers. Orleans itself overwrites the sending silo of such a message but trusts its sending grain,
/// and <see cref="SharedAccessFilter"/> tells clients from grains by that id alone.
/// </summary>
/// <remarks>
/// The layout is Orleans 10's wire protocol (<c>ConnectionPreambleHelper</c> and <c>MessageSerializer</c>): a preamble
/// is an int32 length and that many bytes; a message is an int32 header length, an int32 body length, then the header
/// (uint32 flags, int64 correlation id, sending grain type and key as <see cref="IdSpanCodec"/> raw values, ...) and the
/// body. The check is per connection, so it needs no lock; the common message costs one comparison of a few dozen bytes.
/// </remarks>
internal sealed class ClientFrameCheck(GatewaySenderGuard guard, string remote)
{
    private const int PreambleFraming = sizeof(int);
    private const int MessageFraming = 2 * sizeof(int);
    private const int SenderOffset = sizeof(uint) + sizeof(long);
    private const int MaxPreambleLength = 1024;

    private GrainId _client;

    /// <summary>The client id as it appears on the wire as a message's sender; empty until the preamble is read.</summary>
    private byte[] _encodedClient = [];

    /// <summary>How the keys of the client's observers start: the client's key and '+'.</summary>
    private byte[] _observerKeyPrefix = [];

    /// <summary>
    /// The length of the frame at the start of <paramref name="frames"/> once its sender is known to be the
    /// connection's client, or 0 when more bytes are needed to tell.
    /// </summary>
    /// <exception cref="ForgedSenderException">The frame claims another sender, or the client id is a silo's own.</exception>
    public long Check(in ReadOnlySequence<byte> frames) => _encodedClient.Length == 0 ? CheckPreamble(frames) : CheckMessage(frames);

    private long CheckPreamble(in ReadOnlySequence<byte> frames)
    {
        if (frames.Length < PreambleFraming)
        {
            return 0;
        }

        var length = ReadInt32(frames, 0);
        if (length is <= 0 or > MaxPreambleLength)
        {
            throw Refuse($"a connection preamble of {length} bytes");
        }

        if (frames.Length < PreambleFraming + length)
        {
            return 0;
        }

        if (guard.ReadPreambleIdentity(frames.Slice(PreambleFraming, length)) is not { } client)
        {
            throw Refuse("an unreadable connection preamble");
        }

        if (!client.IsClient() || client.Key.ToString().StartsWith(SharedAccessFilter.HostedClientPrefix, StringComparison.Ordinal))
        {
            throw Refuse($"the connection id {client}");
        }

        _client = client;
        _encodedClient = guard.Encode(client);
        _observerKeyPrefix = [.. client.Key.AsSpan(), (byte)'+'];
        return PreambleFraming + length;
    }

    private long CheckMessage(in ReadOnlySequence<byte> frames)
    {
        if (frames.Length < MessageFraming)
        {
            return 0;
        }

        var headerLength = ReadInt32(frames, 0);
        var bodyLength = ReadInt32(frames, sizeof(int));
        if (headerLength <= 0 || headerLength > guard.MaxHeaderLength || bodyLength < 0)
        {
            throw Refuse($"a message frame of {headerLength}+{bodyLength} bytes");
        }

        if (frames.Length < MessageFraming + headerLength)
        {
            return 0;
        }

        var header = frames.Slice(MessageFraming, headerLength);
        if (!StartsWith(header.Slice(Math.Min(SenderOffset, headerLength)), _encodedClient) && !IsOwnObserver(header))
        {
            throw Refuse("a message from another sender");
        }

        return MessageFraming + (long)headerLength + bodyLength;
    }

    /// <summary>A reply from one of the client's observers names the observer (client key, '+', observer key) as sender.</summary>
    private bool IsOwnObserver(in ReadOnlySequence<byte> header)
    {
        if (header.Length <= SenderOffset)
        {
            return false;
        }

        using var session = guard.Sessions.GetSession();
        var reader = Reader.Create(header.Slice(SenderOffset), session);
        try
        {
            var type = IdSpanCodec.ReadRaw(ref reader);
            var key = IdSpanCodec.ReadRaw(ref reader);
            return type.Equals(_client.Type.Value) && key.AsSpan().StartsWith(_observerKeyPrefix);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }

    private ForgedSenderException Refuse(string what) => guard.Refuse(_encodedClient.Length == 0 ? null : _client, remote, what);

    private static bool StartsWith(in ReadOnlySequence<byte> data, byte[] prefix)
    {
        if (data.Length < prefix.Length)
        {
            return false;
        }

        if (data.FirstSpan.Length >= prefix.Length)
        {
            return data.FirstSpan.StartsWith(prefix);
        }

        Span<byte> copy = stackalloc byte[prefix.Length];
        data.Slice(0, prefix.Length).CopyTo(copy);
        return copy.SequenceEqual(prefix);
    }

    private static int ReadInt32(in ReadOnlySequence<byte> data, int offset)
    {
        Span<byte> bytes = stackalloc byte[sizeof(int)];
        data.Slice(offset, sizeof(int)).CopyTo(bytes);
        return BinaryPrimitives.ReadInt32LittleEndian(bytes);
    }
}

/// <summary>A client connection sent a frame under an identity that is not its own; the gateway closes it.</summary>
internal sealed class ForgedSenderException(string message) : Exception(message);
