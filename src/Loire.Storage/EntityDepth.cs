using System.Buffers.Binary;

namespace Loire.Storage;

/// <summary>
/// How many messages an entity holds, by state, as its grain last recorded them in the catalog. The grain records
/// it in the same atomic batch as the messages a send stores, so an acknowledged send is always counted; settlements
/// and state changes that need no write of their own show within about a second.
/// </summary>
/// <param name="Active">Messages available to receivers or locked by one (the main queue).</param>
/// <param name="Scheduled">Messages waiting for their scheduled enqueue time.</param>
/// <param name="Deferred">Messages set aside by a receiver, receivable by sequence number.</param>
/// <param name="DeadLetter">Messages in the dead-letter sub-queue.</param>
/// <param name="SizeInBytes">Estimated size of every message held.</param>
/// <param name="OldestActiveAt">When the oldest message still waiting for a receiver became available; null when none waits.</param>
/// <param name="NextScheduledAt">The earliest scheduled enqueue time of a scheduled message; null when none is scheduled.</param>
/// <param name="RecordedAt">When the grain recorded these counts.</param>
public readonly record struct EntityDepth(
    long Active,
    long Scheduled,
    long Deferred,
    long DeadLetter,
    long SizeInBytes,
    DateTimeOffset? OldestActiveAt,
    DateTimeOffset? NextScheduledAt,
    DateTimeOffset RecordedAt)
{
    private const byte FormatVersion = 1;

    /// <summary>Bytes of the encoded form: a version byte, then eight big-endian 64-bit fields.</summary>
    public const int EncodedLength = 1 + (8 * sizeof(long));

    /// <summary>True when the counts are the same (the recording time aside).</summary>
    public bool SameCountsAs(EntityDepth other) => this with { RecordedAt = default } == other with { RecordedAt = default };

    /// <summary>The form both stores keep: fixed size and independent of any serializer.</summary>
    public byte[] Encode()
    {
        var bytes = new byte[EncodedLength];
        var span = bytes.AsSpan();
        span[0] = FormatVersion;
        span = span[1..];
        Write(ref span, Active);
        Write(ref span, Scheduled);
        Write(ref span, Deferred);
        Write(ref span, DeadLetter);
        Write(ref span, SizeInBytes);
        Write(ref span, ToUnixMilliseconds(OldestActiveAt));
        Write(ref span, ToUnixMilliseconds(NextScheduledAt));
        Write(ref span, RecordedAt.ToUnixTimeMilliseconds());
        return bytes;
    }

    /// <summary>Decodes <see cref="Encode"/>'s form; null for anything else (an unknown version, a short value).</summary>
    public static EntityDepth? Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != EncodedLength || bytes[0] != FormatVersion)
        {
            return null;
        }

        bytes = bytes[1..];
        return new EntityDepth(
            Read(ref bytes), Read(ref bytes), Read(ref bytes), Read(ref bytes), Read(ref bytes),
            FromUnixMilliseconds(Read(ref bytes)), FromUnixMilliseconds(Read(ref bytes)),
            DateTimeOffset.FromUnixTimeMilliseconds(Read(ref bytes)));
    }

    private static void Write(ref Span<byte> span, long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(span, value);
        span = span[sizeof(long)..];
    }

    private static long Read(ref ReadOnlySpan<byte> span)
    {
        var value = BinaryPrimitives.ReadInt64BigEndian(span);
        span = span[sizeof(long)..];
        return value;
    }

    // 0 stands for "none": no real time of a message is the Unix epoch itself.
    private static long ToUnixMilliseconds(DateTimeOffset? time) => time?.ToUnixTimeMilliseconds() ?? 0;

    private static DateTimeOffset? FromUnixMilliseconds(long value) => value == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(value);
}

/// <summary>
/// One catalog entry with its recorded depth; <see cref="Depth"/> is null while its grain never recorded one (a
/// topic, or an entity last written before depths were recorded).
/// </summary>
public sealed record EntityDepthRecord(string Path, int Kind, EntityDepth? Depth);
