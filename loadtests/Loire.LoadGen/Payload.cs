using System.Buffers.Binary;
using System.Diagnostics;

namespace Loire.LoadGen;

/// <summary>
/// Body layout of a load message: bytes 0-7 the <see cref="Stopwatch"/> timestamp taken just before the send call,
/// byte 8 set for warm-up messages (left out of latency statistics), bytes 9-12 the message's index in its run, so
/// consumers can tell losses and duplicates apart; the rest is filler.
/// </summary>
internal static class Payload
{
    public const int MinSize = 16;

    public static byte[] Create(int size, int index, bool warmUp)
    {
        var body = new byte[Math.Max(size, MinSize)];
        for (var i = 13; i < body.Length; i++)
        {
            body[i] = (byte)('a' + i % 26);
        }

        body[8] = warmUp ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteInt32LittleEndian(body.AsSpan(9), index);
        return body;
    }

    /// <summary>Writes the send time; called for each message right before the send call that carries it.</summary>
    public static void Stamp(byte[] body) => BinaryPrimitives.WriteInt64LittleEndian(body, Stopwatch.GetTimestamp());

    public static int Index(ReadOnlySpan<byte> body) => body.Length < MinSize ? -1 : BinaryPrimitives.ReadInt32LittleEndian(body[9..]);

    /// <summary>Milliseconds from the send stamp to <paramref name="now"/>; null for warm-up messages.</summary>
    public static double? LatencyMilliseconds(ReadOnlySpan<byte> body, long now) =>
        body.Length < MinSize || body[8] != 0 ? null : (now - BinaryPrimitives.ReadInt64LittleEndian(body)) * 1000.0 / Stopwatch.Frequency;
}
