namespace Loire.Filters;

/// <summary>
/// Topic-exchange style routing patterns over '.'-separated words: <c>*</c> matches exactly one word and <c>#</c> zero or
/// more words; any other word matches itself ordinally. The empty string has zero words, so <c>#</c> matches it and
/// <c>*</c> does not.
/// </summary>
public static class RoutingPattern
{
    private const char Separator = '.';
    private const string OneWord = "*";
    private const string AnyWords = "#";

    /// <summary>Whether <paramref name="pattern"/> contains a wildcard word (<c>*</c> or <c>#</c>); <c>order.*x</c> does not.</summary>
    /// <param name="pattern">The candidate pattern.</param>
    /// <returns>True when matching it needs <see cref="IsMatch"/> rather than plain string equality.</returns>
    public static bool IsPattern(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        for (var word = FirstWord(pattern); word <= pattern.Length; word = NextWord(pattern, word))
        {
            var text = Word(pattern, word);
            if (text.SequenceEqual(OneWord) || text.SequenceEqual(AnyWords))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="routingKey"/> matches <paramref name="pattern"/>.</summary>
    /// <param name="pattern">The pattern, e.g. <c>order.*.created</c> or <c>order.#</c>.</param>
    /// <param name="routingKey">The key, e.g. a message subject; null never matches.</param>
    /// <returns>True on a match.</returns>
    /// <remarks>
    /// Runs in O(pattern words × key words) without allocating: like glob matching, after a mismatch it only resumes from
    /// the most recent <c>#</c>, which is sufficient because an earlier <c>#</c> could only absorb words the later one can too.
    /// </remarks>
    public static bool IsMatch(string pattern, string? routingKey)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (routingKey is null)
        {
            return false;
        }

        var p = FirstWord(pattern);
        var k = FirstWord(routingKey);
        var resumePattern = -1;
        var resumeKey = 0;
        while (k <= routingKey.Length)
        {
            if (p <= pattern.Length)
            {
                var patternWord = Word(pattern, p);
                if (patternWord.SequenceEqual(AnyWords))
                {
                    // Let '#' absorb nothing for now; each later mismatch makes it absorb one more key word.
                    p = NextWord(pattern, p);
                    resumePattern = p;
                    resumeKey = k;
                    continue;
                }

                if (patternWord.SequenceEqual(OneWord) || patternWord.SequenceEqual(Word(routingKey, k)))
                {
                    p = NextWord(pattern, p);
                    k = NextWord(routingKey, k);
                    continue;
                }
            }

            if (resumePattern < 0)
            {
                return false;
            }

            p = resumePattern;
            resumeKey = NextWord(routingKey, resumeKey);
            k = resumeKey;
        }

        while (p <= pattern.Length && Word(pattern, p).SequenceEqual(AnyWords))
        {
            p = NextWord(pattern, p);
        }

        return p > pattern.Length;
    }

    // Words are addressed by the index of their first character; an index past Length means "no more words".
    // The empty string starts past its end because it has zero words, while "a." has two ("a" and "").
    private static int FirstWord(string text) => text.Length == 0 ? 1 : 0;

    private static int WordEnd(string text, int start)
    {
        var separator = text.IndexOf(Separator, start);
        return separator < 0 ? text.Length : separator;
    }

    private static int NextWord(string text, int start) => WordEnd(text, start) + 1;

    private static ReadOnlySpan<char> Word(string text, int start) => text.AsSpan(start, WordEnd(text, start) - start);
}
