using CsCheck;

namespace Loire.Tests.Fuzzing;

/// <summary>Generators of what a stranger can put in a message or an entity definition.</summary>
internal static class FuzzValues
{
    private const string NameNoise = "ab09.-_/$ \t#*?%\\:\u00e9\u0000\u200b";

    /// <summary>Strings from absent to oversized, with control characters, lone surrogates and reserved words.</summary>
    public static readonly Gen<string?> Text = Gen.Frequency<string?>(
        (3, Gen.Const((string?)null)),
        (4, Gen.String[Gen.Char.AlphaNumeric, 0, 16].Select(s => (string?)s)),
        (2, Gen.String[Gen.Char, 0, 24].Select(s => (string?)s)),
        (1, Gen.Int[100, 300].Select(n => (string?)new string('m', n))),
        (1, Gen.OneOf<string?>("", " ", "\ud800", "$deadletterqueue", "subscriptions", "null")));

    /// <summary>Entity paths and names, mostly near the edge of what is allowed.</summary>
    public static readonly Gen<string?> EntityName = Gen.Frequency<string?>(
        (4, Gen.String[Gen.Char[NameNoise], 1, 12].Select(s => (string?)("f" + s))),
        (2, Gen.String[Gen.Char[NameNoise], 0, 12].Select(s => (string?)s)),
        (1, Gen.Int[240, 280].Select(n => (string?)("f" + new string('q', n)))),
        (1, Gen.OneOf<string?>(null, "", "a/subscriptions/b", "a/$deadletterqueue", "a//b", "/a", "a/", "\u00e9t\u00e9")),
        (1, Gen.String[Gen.Char, 1, 20].Select(s => (string?)s)));

    /// <summary>Application property values of every supported type, and some no client should send.</summary>
    public static readonly Gen<object?> PropertyValue = Gen.Frequency<object?>(
        (3, Gen.Long.Select(v => (object?)v)),
        (2, Gen.String[Gen.Char, 0, 20].Select(v => (object?)v)),
        (2, Gen.Double.Select(v => (object?)v)),
        (1, Gen.Decimal.Select(v => (object?)v)),
        (1, Gen.Guid.Select(v => (object?)v)),
        (1, Gen.DateTimeOffset.Select(v => (object?)v)),
        (1, Gen.TimeSpan.Select(v => (object?)v)),
        (2, Gen.OneOf<object?>(true, 'x', (byte)1, (sbyte)-1, (short)-2, (ushort)3, 4u, ulong.MaxValue, float.NaN, double.NegativeInfinity,
            DateTime.MaxValue, new Uri("https://example.test/a?b"), null, new object(), new[] { 1, 2 }, new List<string> { "a" },
            new byte[] { 0, 255 }, DayOfWeek.Friday)));

    public static readonly Gen<string> PropertyKey = Gen.Frequency(
        (5, Gen.String[Gen.Char.AlphaNumeric, 1, 12]),
        (1, Gen.String[Gen.Char, 0, 12]),
        (1, Gen.Int[500, 5000].Select(n => new string('k', n))));

    public static readonly Gen<byte[]> Body = Gen.Frequency(
        (8, Gen.Byte.Array[0, 64]),
        (1, Gen.Int[200 * 1024, 300 * 1024].Select(n => new byte[n])));

    public static readonly Gen<TimeSpan?> TimeToLive = Gen.Frequency<TimeSpan?>(
        (4, Gen.Const((TimeSpan?)null)),
        (2, Gen.OneOf<TimeSpan?>(TimeSpan.MaxValue, TimeSpan.FromHours(1), TimeSpan.Zero, TimeSpan.MinValue, TimeSpan.FromTicks(-1))),
        (1, Gen.Long[TimeSpan.TicksPerHour, long.MaxValue].Select(t => (TimeSpan?)TimeSpan.FromTicks(t))));

    /// <summary>Absent, in the past (visible at once), or absurd; never a real future time, which the test could not receive.</summary>
    public static readonly Gen<DateTimeOffset?> ScheduledTime = Gen.Frequency<DateTimeOffset?>(
        (5, Gen.Const((DateTimeOffset?)null)),
        (1, Gen.OneOf<DateTimeOffset?>(DateTimeOffset.MinValue, DateTimeOffset.UnixEpoch, DateTimeOffset.UtcNow.AddDays(-1))));
}
