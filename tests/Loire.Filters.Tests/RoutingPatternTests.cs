namespace Loire.Filters.Tests;

public class RoutingPatternTests
{
    [Theory]
    [InlineData("order.*", "order.created", true)]
    [InlineData("order.*", "order", false)]
    [InlineData("order.*", "order.created.eu", false)]
    [InlineData("*.created", "order.created", true)]
    [InlineData("*.created", "created", false)]
    [InlineData("*.*", "a.b", true)]
    [InlineData("*.*", "a", false)]
    [InlineData("*.*", "a.b.c", false)]
    [InlineData("*", "a", true)]
    [InlineData("*", "a.b", false)]
    public void StarMatchesExactlyOneWord(string pattern, string key, bool expected) =>
        Assert.Equal(expected, RoutingPattern.IsMatch(pattern, key));

    [Theory]
    [InlineData("order.#", "order", true)]
    [InlineData("order.#", "order.a", true)]
    [InlineData("order.#", "order.a.b", true)]
    [InlineData("order.#", "orders.a", false)]
    [InlineData("#", "anything.at.all", true)]
    [InlineData("#", "x", true)]
    [InlineData("#.created", "created", true)]
    [InlineData("#.created", "order.eu.created", true)]
    [InlineData("#.created", "order.created.eu", false)]
    [InlineData("a.#.z", "a.z", true)]
    [InlineData("a.#.z", "a.b.c.z", true)]
    [InlineData("a.#.z", "a.b.c", false)]
    [InlineData("a.#.z", "b.a.z", false)]
    [InlineData("#.a.#", "x.a.y", true)]
    [InlineData("#.a.#", "x.b.y", false)]
    [InlineData("#.#", "x", true)]
    [InlineData("*.#", "x", true)]
    [InlineData("#.*", "", false)]
    public void HashMatchesZeroOrMoreWords(string pattern, string key, bool expected) =>
        Assert.Equal(expected, RoutingPattern.IsMatch(pattern, key));

    [Theory]
    [InlineData("#", "", true)]
    [InlineData("*", "", false)]
    [InlineData("", "", true)]
    [InlineData("", "a", false)]
    [InlineData("a", "", false)]
    [InlineData("order.#", "", false)]
    public void EmptyKeyHasZeroWords(string pattern, string key, bool expected) =>
        Assert.Equal(expected, RoutingPattern.IsMatch(pattern, key));

    [Theory]
    [InlineData("a.*.c", "a..c", true)]
    [InlineData("a.*", "a.", true)]
    [InlineData("*.b", ".b", true)]
    public void EmptyWordsBetweenDotsAreStillWords(string pattern, string key, bool expected) =>
        Assert.Equal(expected, RoutingPattern.IsMatch(pattern, key));

    [Theory]
    [InlineData("Order.created", "order.created", false)]
    [InlineData("order.created", "order.created", true)]
    [InlineData("order.*x", "order.ax", false)]
    public void LiteralWordsMatchOrdinally(string pattern, string key, bool expected) =>
        Assert.Equal(expected, RoutingPattern.IsMatch(pattern, key));

    [Fact]
    public void NullKeyNeverMatches()
    {
        Assert.False(RoutingPattern.IsMatch("#", null));
        Assert.False(RoutingPattern.IsMatch("", null));
    }

    [Theory]
    [InlineData("order.*", true)]
    [InlineData("#", true)]
    [InlineData("a.#.b", true)]
    [InlineData("order.created", false)]
    [InlineData("order.*x", false)]
    [InlineData("#x.y", false)]
    [InlineData("", false)]
    public void IsPatternDetectsWildcardWordsOnly(string pattern, bool expected) =>
        Assert.Equal(expected, RoutingPattern.IsPattern(pattern));

    [Fact]
    public void PathologicalPatternFinishesQuickly()
    {
        var key = string.Join('.', Enumerable.Repeat("a", 5_000));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(RoutingPattern.IsMatch("#.#.#.#.#.#.#.#.x", key));
        Assert.False(RoutingPattern.IsMatch(string.Join('.', Enumerable.Repeat("#.a", 40)) + ".x", key));
        Assert.True(RoutingPattern.IsMatch("#.#.#.#.a", key));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
    }
}
