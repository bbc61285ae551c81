namespace Loire.Filters.Tests;

public class SqlLikeTests
{
    [Theory]
    [InlineData("order%", "order.created", true)]
    [InlineData("order%", "order", true)]
    [InlineData("order%", "reorder", false)]
    [InlineData("%created", "order.created", true)]
    [InlineData("%created", "created.order", false)]
    [InlineData("%der.cr%", "order.created", true)]
    [InlineData("%der.cr%", "order-created", false)]
    [InlineData("%", "", true)]
    [InlineData("%%", "anything", true)]
    [InlineData("exact", "exact", true)]
    [InlineData("exact", "Exact", false)]
    [InlineData("", "", true)]
    [InlineData("", "x", false)]
    public void PercentMatchesAnySequence(string pattern, string value, bool expected) =>
        Assert.Equal(expected, Sql.Matches($"s LIKE '{pattern}'", ("s", value)));

    [Theory]
    [InlineData("a_c", "abc", true)]
    [InlineData("a_c", "ac", false)]
    [InlineData("a_c", "abbc", false)]
    [InlineData("___", "abc", true)]
    [InlineData("_%_", "ab", true)]
    [InlineData("_%_", "a", false)]
    public void UnderscoreMatchesExactlyOneCharacter(string pattern, string value, bool expected) =>
        Assert.Equal(expected, Sql.Matches($"s LIKE '{pattern}'", ("s", value)));

    [Theory]
    [InlineData("a%b%c", "axxbyyc", true)]
    [InlineData("a%b%c", "acb", false)]
    [InlineData("%a_b%", "xxaZbyy", true)]
    [InlineData("%ab%ab", "abxab", true)]
    [InlineData("%ab%ab", "abxa", false)]
    [InlineData("a%a%a", "aaa", true)]
    [InlineData("a%a%a", "aa", false)]
    public void MixedWildcardsBacktrackCorrectly(string pattern, string value, bool expected) =>
        Assert.Equal(expected, Sql.Matches($"s LIKE '{pattern}'", ("s", value)));

    [Theory]
    [InlineData("100!%", "100%", true)]
    [InlineData("100!%", "1000", false)]
    [InlineData("a!_b", "a_b", true)]
    [InlineData("a!_b", "axb", false)]
    [InlineData("a!!b", "a!b", true)]
    [InlineData("%!%%", "50% off", true)]
    public void EscapeMakesWildcardsLiteral(string pattern, string value, bool expected) =>
        Assert.Equal(expected, Sql.Matches($"s LIKE '{pattern}' ESCAPE '!'", ("s", value)));

    [Fact]
    public void NotLikeIsTheOppositeForStrings()
    {
        Assert.True(Sql.Matches("s NOT LIKE 'a%'", ("s", "bcd")));
        Assert.False(Sql.Matches("s NOT LIKE 'a%'", ("s", "abc")));
    }

    [Fact]
    public void LikeAndNotLikeAreUnknownForMissingOrNonStringValues()
    {
        Assert.False(Sql.Matches("s LIKE '%'"));
        Assert.False(Sql.Matches("s NOT LIKE 'x'"));
        Assert.False(Sql.Matches("n LIKE '1%'", ("n", 12)));
        Assert.False(Sql.Matches("n NOT LIKE '1%'", ("n", 12)));
    }

    [Fact]
    public void QuotesInsidePatternsAreEscapedByDoubling() =>
        Assert.True(Sql.Matches("s LIKE 'it''s%'", ("s", "it's fine")));

    [Fact]
    public void PathologicalPatternFinishesQuickly()
    {
        var value = new string('a', 10_000);
        var pattern = string.Concat(Enumerable.Repeat("%a", 50)) + "%b";
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(Sql.Matches($"s LIKE '{pattern}'", ("s", value)));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
    }
}
