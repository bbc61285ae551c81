namespace Loire.Filters.Tests;

public class SqlInTests
{
    [Theory]
    [InlineData("eu", true)]
    [InlineData("us", true)]
    [InlineData("apac", false)]
    [InlineData("EU", false)]
    public void InMatchesStringsOrdinally(string region, bool expected) =>
        Assert.Equal(expected, Sql.Matches("region IN ('eu', 'us')", ("region", region)));

    [Theory]
    [InlineData("eu", false)]
    [InlineData("apac", true)]
    public void NotInIsTheOppositeForPresentValues(string region, bool expected) =>
        Assert.Equal(expected, Sql.Matches("region NOT IN ('eu', 'us')", ("region", region)));

    [Fact]
    public void InAndNotInAreBothUnknownForAMissingProperty()
    {
        Assert.False(Sql.Matches("region IN ('eu')"));
        Assert.False(Sql.Matches("region NOT IN ('eu')"));
    }

    [Fact]
    public void InComparesNumbersByValue()
    {
        Assert.True(Sql.Matches("n IN (1, 2.0, 3)", ("n", 2L)));
        Assert.True(Sql.Matches("n IN (-1, -2)", ("n", -2)));
        Assert.False(Sql.Matches("n IN (1, 3)", ("n", 2.0)));
        Assert.True(Sql.Matches("n NOT IN (1, 3)", ("n", 2.0)));
    }

    [Fact]
    public void InWithAValueOfAnotherTypeIsUnknown()
    {
        Assert.False(Sql.Matches("n IN ('1', '2')", ("n", 1)));
        Assert.False(Sql.Matches("n NOT IN ('1', '2')", ("n", 1)));
    }

    [Fact]
    public void InAcceptsBooleans() => Assert.True(Sql.Matches("flag IN (TRUE)", ("flag", true)));

    [Fact]
    public void NotInFrontOfInWorksLikeNotIn() => Assert.True(Sql.Matches("NOT region IN ('eu')", ("region", "us")));

    [Fact]
    public void InListOfTheMaximumSizeParses()
    {
        // Bare numbers without spaces so 256 of them fit within the 1024-character expression limit.
        var items = string.Join(",", Enumerable.Range(0, 256));
        Assert.True(Sql.Matches($"v IN ({items})", ("v", 255)));
    }

    [Fact]
    public void InWorksOnSystemProperties() =>
        Assert.True(Sql.Matches("sys.ContentType IN ('application/json', 'text/plain')", new TestMessage().Sys("ContentType", "text/plain")));
}
