using System.Diagnostics;
using CsCheck;
using Xunit.Abstractions;

namespace Loire.Filters.Tests.Fuzzing;

/// <summary>
/// Filter texts arrive from anyone who may create a rule, and the broker parses and then evaluates them against every
/// message a topic routes. Whatever the text, parsing either compiles a filter or refuses it with a
/// <see cref="FilterSyntaxException"/> that says where, and a compiled filter evaluates every message to match or
/// no match: nothing else may be thrown, and nothing may take long.
/// </summary>
[Trait("Category", "Fuzz")]
public sealed class SqlFilterFuzzTests(ITestOutputHelper output)
{
    /// <summary>Far above what any input should take (microseconds); only a hang or a blow-up comes near it.</summary>
    private static readonly TimeSpan SlowInput = TimeSpan.FromSeconds(2);

    [Fact]
    public void GrammarShapedTextsParseOrFailWithAPosition() => Run(SqlTexts.Grammar, "grammar-shaped");

    [Fact]
    public void MutatedTextsParseOrFailWithAPosition() => Run(SqlTexts.Mutated, "mutated");

    [Fact]
    public void ArbitraryTextsParseOrFailWithAPosition() => Run(SqlTexts.Arbitrary, "arbitrary");

    [Fact]
    public void OversizedTextsAreRefusedByTheirLimits() => Run(SqlTexts.Oversized, "oversized");

    private void Run(Gen<string> texts, string kind)
    {
        var tried = 0L;
        var compiled = 0L;
        var messages = SqlTexts.Messages.Array[1, 4];
        Gen.Select(texts, messages).Sample((text, sample) =>
        {
            Interlocked.Increment(ref tried);
            var clock = Stopwatch.StartNew();
            if (Check(text, sample))
            {
                Interlocked.Increment(ref compiled);
            }

            Assert.True(clock.Elapsed < SlowInput, $"took {clock.Elapsed.TotalMilliseconds:F0} ms");
        }, time: FuzzBudget.Seconds(inSuite: 2), threads: 2, print: t => Printable(t.Item1));

        output.WriteLine($"{kind}: {tried} texts tried, {compiled} compiled, {tried - compiled} refused; 0 crashes, 0 hangs");
        Assert.True(tried > 100, $"only {tried} texts were tried");
    }

    /// <summary>The property itself; true when the text compiled.</summary>
    private static bool Check(string text, TestMessage[] messages)
    {
        SqlFilter filter;
        try
        {
            filter = SqlFilter.Parse(text);
        }
        catch (FilterSyntaxException e)
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
            Assert.InRange(e.Position, 1, text.Length + 1);
            return false;
        }

        Assert.Equal(text, filter.Expression);
        foreach (var message in messages)
        {
            // Matching twice gives the same answer: evaluation keeps no state between messages.
            Assert.Equal(filter.Matches(message), filter.Matches(message));
        }

        return true;
    }

    private static string Printable(string text) =>
        string.Concat(text.Select(c => char.IsControl(c) || char.IsSurrogate(c) ? $"\\u{(int)c:X4}" : c.ToString()));
}
