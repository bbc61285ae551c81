using CsCheck;

namespace Loire.Filters.Tests.Fuzzing;

/// <summary>Generators of filter texts, from well-formed to hostile, and of messages to evaluate them against.</summary>
internal static class SqlTexts
{
    private static readonly string[] PropertyNames = ["a", "b", "region", "priority", "Amount", "x_1", "é"];

    private static readonly Gen<string> Property = Gen.Frequency(
        (4, Gen.OneOf(PropertyNames)),
        (2, Gen.OneOf("sys.Subject", "sys.MessageId", "sys.To", "sys.ContentType", "sys.SequenceNumber", "sys.Nothing")),
        (1, Gen.OneOf(PropertyNames).Select(n => "user." + n)),
        (1, Gen.String[Gen.Char["ab ]-.'"], 0, 6].Select(n => "[" + n + "]")));

    private static readonly Gen<string> Literal = Gen.Frequency(
        (3, Gen.Long.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        (2, Gen.OneOf("0", "1", "-1", "9223372036854775807", "9223372036854775808", "1e308", "1e309", "0.5", ".5", "5.",
            "1E-400", "79228162514264337593543950335", "NULL", "TRUE", "FALSE", "''", "'it''s'")),
        (2, Gen.Double.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))),
        (3, Gen.String[Gen.Char["abc%_\\' é"], 0, 8].Select(s => "'" + s.Replace("'", "''") + "'")));

    private static readonly Gen<string> Operand = Gen.Frequency((3, Property), (3, Literal));

    private static readonly Gen<string> Value = Gen.Recursive<string>((depth, value) => depth >= 3
        ? Operand
        : Gen.Frequency(
            (6, Operand),
            (2, Gen.Select(value, Gen.OneOf(" + ", " - ", " * ", " / ", " % "), value, (l, op, r) => l + op + r)),
            (1, value.Select(v => "-" + v)),
            (1, value.Select(v => "(" + v + ")"))));

    private static readonly Gen<string> Predicate = Gen.Frequency(
        (5, Gen.Select(Value, Gen.OneOf(" = ", " <> ", " != ", " < ", " > ", " <= ", " >= "), Value, (l, op, r) => l + op + r)),
        (2, Gen.Select(Value, Gen.Bool, Literal.Array[0, 5], (v, not, items) => $"{v}{(not ? " NOT" : "")} IN ({string.Join(", ", items)})")),
        (2, Gen.Select(Value, Gen.Bool, Literal, Gen.OneOf("", " ESCAPE '\\'", " ESCAPE '!'", " ESCAPE ''", " ESCAPE 'ab'"),
            (v, not, pattern, escape) => $"{v}{(not ? " NOT" : "")} LIKE {pattern}{escape}")),
        (1, Property.Select(p => $"EXISTS({p})")),
        (1, Gen.Select(Value, Gen.Bool, (v, not) => $"{v} IS{(not ? " NOT" : "")} NULL")),
        (1, Gen.OneOf("TRUE", "FALSE", "1=1", "NULL")));

    /// <summary>Texts shaped like the grammar (most parse, some are ill-typed).</summary>
    public static readonly Gen<string> Grammar = Gen.Recursive<string>((depth, expression) => depth >= 4
        ? Predicate
        : Gen.Frequency(
            (5, Predicate),
            (3, Gen.Select(expression, Gen.OneOf(" AND ", " OR ", " and ", " Or "), expression, (l, op, r) => l + op + r)),
            (1, expression.Select(e => "NOT " + e)),
            (2, expression.Select(e => "(" + e + ")"))));

    private const string Noise = "()[]'\"=<>!+-*/%.,;_ \t\r\n\\#$@0123456789eEabcANDORNOTINLIKE\u00e9\u0000\u00a0\u2028\ud800\udc00\uffff";

    /// <summary>Grammar-shaped texts with a few characters deleted, inserted, duplicated or swapped.</summary>
    public static readonly Gen<string> Mutated = Gen.Select(Grammar, Gen.Int[1, 6], Gen.Int, Mutate);

    /// <summary>Any characters at all, including lone surrogates and control characters.</summary>
    public static readonly Gen<string> Arbitrary = Gen.Frequency(
        (1, Gen.String[Gen.Char, 0, 64]),
        (2, Gen.String[Gen.Char[Noise], 0, 64]));

    /// <summary>Texts past the length, nesting and IN-list limits, which must be refused without deep recursion.</summary>
    public static readonly Gen<string> Oversized = Gen.Frequency(
        (1, Gen.Int[1, 5000].Select(n => new string('(', n) + "a = 1" + new string(')', n))),
        (1, Gen.Int[1, 5000].Select(n => string.Concat(Enumerable.Repeat("NOT ", n)) + "a = 1")),
        (1, Gen.Int[1, 3000].Select(n => string.Join(" + ", Enumerable.Repeat("-a", n)) + " = 1")),
        (1, Gen.Int[200, 1000].Select(n => "a IN (" + string.Join(",", Enumerable.Range(0, n)) + ")")),
        (1, Gen.Int[1000, 20000].Select(n => "a = '" + new string('x', n) + "'")),
        (1, Gen.Int[1, 800].Select(n => string.Join(" AND ", Enumerable.Repeat("a = 1", n)))));

    /// <summary>Messages whose properties have the names the texts use, with values of every kind a client can send.</summary>
    public static readonly Gen<TestMessage> Messages = Gen.Select(
        Gen.Select(Gen.OneOf(PropertyNames), PropertyValue).Array[0, 6],
        Gen.String[Gen.Char["ab.*#"], 0, 6].Null(),
        (properties, subject) =>
        {
            var message = new TestMessage();
            foreach (var (name, value) in properties)
            {
                message.App(name, value);
            }

            return message.Sys("Subject", subject).Sys("SequenceNumber", 42L);
        });

    private static Gen<object?> PropertyValue => Gen.Frequency<object?>(
        (2, Gen.Long.Select(v => (object?)v)),
        (2, Gen.OneOf<object?>(0L, -1L, long.MinValue, long.MaxValue, int.MinValue, 0.0, -0.0, double.NaN, double.PositiveInfinity,
            double.Epsilon, decimal.MaxValue, decimal.MinValue, 0m, ulong.MaxValue, float.NaN, (byte)7, true, false, null)),
        (2, Gen.Double.Select(v => (object?)v)),
        (1, Gen.Decimal.Select(v => (object?)v)),
        (2, Gen.String[Gen.Char["abc%_\\' é"], 0, 8].Select(v => (object?)v)),
        (1, Gen.OneOf<object?>(DateTime.UnixEpoch, DateTimeOffset.MaxValue, Guid.Empty, TimeSpan.MinValue, new byte[] { 1, 2 })));

    private static string Mutate(string text, int edits, int seed)
    {
        var random = new Random(seed);
        var chars = new List<char>(text);
        for (var i = 0; i < edits; i++)
        {
            var at = random.Next(chars.Count + 1);
            switch (random.Next(4))
            {
                case 0 when chars.Count > 0 && at < chars.Count:
                    chars.RemoveRange(at, Math.Min(random.Next(1, 4), chars.Count - at));
                    break;
                case 1 when chars.Count > 0 && at < chars.Count:
                    var length = Math.Min(random.Next(1, 8), chars.Count - at);
                    chars.InsertRange(random.Next(chars.Count + 1), chars.GetRange(at, length));
                    break;
                case 2 when chars.Count > 1 && at < chars.Count - 1:
                    (chars[at], chars[at + 1]) = (chars[at + 1], chars[at]);
                    break;
                default:
                    chars.Insert(at, Noise[random.Next(Noise.Length)]);
                    break;
            }
        }

        return new string(chars.ToArray());
    }
}
