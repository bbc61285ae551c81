using CsCheck;
using Xunit.Abstractions;

namespace Loire.Filters.Tests.Fuzzing;

/// <summary>
/// Subscription routing patterns come from whoever creates a rule and keys from every sender. The matcher runs on each
/// routed message without allocating, so it is checked against the plainest possible definition of '*' and '#':
/// split into words and try every way of letting '#' absorb them.
/// </summary>
[Trait("Category", "Fuzz")]
public sealed class RoutingPatternFuzzTests(ITestOutputHelper output)
{
    private static readonly Gen<string> Words = Gen.OneOf("a", "b", "ab", "*", "#", "", "**", "a#", "é").Array[0, 7]
        .Select(words => string.Join('.', words));

    private static readonly Gen<string> Texts = Gen.Frequency(
        (4, Words),
        (1, Gen.String[Gen.Char["ab.*# \u0000"], 0, 12]));

    [Fact]
    public void MatchesAgreeWithTheWordByWordDefinition()
    {
        var tried = 0L;
        Gen.Select(Texts, Texts).Sample((pattern, key) =>
        {
            Interlocked.Increment(ref tried);
            Assert.Equal(Reference(pattern.Split('.', StringSplitOptions.None), 0, Split(key), 0), RoutingPattern.IsMatch(pattern, key));
            Assert.Equal(pattern.Split('.').Any(w => w is "*" or "#"), RoutingPattern.IsPattern(pattern));
        }, time: FuzzBudget.Seconds(inSuite: 2), threads: 2);

        output.WriteLine($"{tried} pattern and key pairs tried; 0 disagreements, 0 crashes");
    }

    [Fact]
    public void LongInputsMatchInBoundedTime()
    {
        // The matcher is O(pattern words x key words); a backtracking one would take exponential time on these.
        var pattern = string.Join('.', Enumerable.Repeat("#.a", 2000)) + ".b";
        var key = string.Join('.', Enumerable.Repeat("a", 4000));
        Assert.False(RoutingPattern.IsMatch(pattern, key));
    }

    /// <summary>The empty key has no words; any other key has one more word than it has dots.</summary>
    private static string[] Split(string key) => key.Length == 0 ? [] : key.Split('.');

    private static bool Reference(string[] pattern, int p, string[] key, int k)
    {
        if (pattern.Length == 1 && pattern[0].Length == 0 && p == 0)
        {
            // The empty pattern also has zero words.
            pattern = [];
        }

        if (p == pattern.Length)
        {
            return k == key.Length;
        }

        return pattern[p] switch
        {
            "#" => Enumerable.Range(k, key.Length - k + 1).Any(next => Reference(pattern, p + 1, key, next)),
            "*" => k < key.Length && Reference(pattern, p + 1, key, k + 1),
            var word => k < key.Length && key[k] == word && Reference(pattern, p + 1, key, k + 1),
        };
    }
}
