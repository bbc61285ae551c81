namespace Loire.Filters.Tests;

public class SqlLogicTests
{
    [Theory]
    [InlineData("a = 1 AND b = 2", true)]
    [InlineData("a = 1 AND b = 3", false)]
    [InlineData("a = 2 AND b = 2", false)]
    [InlineData("a = 1 OR b = 3", true)]
    [InlineData("a = 2 OR b = 2", true)]
    [InlineData("a = 2 OR b = 3", false)]
    [InlineData("NOT a = 2", true)]
    [InlineData("NOT a = 1", false)]
    [InlineData("NOT NOT a = 1", true)]
    public void AndOrNotHaveTrueAndFalseCases(string expression, bool expected) =>
        Assert.Equal(expected, Sql.Matches(expression, ("a", 1), ("b", 2)));

    [Fact]
    public void AndBindsTighterThanOr()
    {
        // a = 1 OR (b = 2 AND c = 3)
        Assert.True(Sql.Matches("a = 1 OR b = 2 AND c = 3", ("a", 1), ("b", 0), ("c", 0)));
        Assert.False(Sql.Matches("a = 0 OR b = 2 AND c = 3", ("a", 1), ("b", 2), ("c", 0)));
    }

    [Fact]
    public void ParenthesesOverridePrecedence() =>
        Assert.False(Sql.Matches("(a = 1 OR b = 2) AND c = 3", ("a", 1), ("b", 0), ("c", 0)));

    [Fact]
    public void NotBindsTighterThanAnd() =>
        Assert.True(Sql.Matches("NOT a = 2 AND b = 2", ("a", 1), ("b", 2)));

    [Fact]
    public void ArithmeticBindsTighterThanComparison() =>
        Assert.True(Sql.Matches("a + 1 = 2 * b", ("a", 3), ("b", 2)));

    [Fact]
    public void NotOfUnknownIsUnknown() => Assert.False(Sql.Matches("NOT (missing = 1)"));

    [Fact]
    public void UnknownAndFalseIsFalseSoItsNegationMatches() =>
        Assert.True(Sql.Matches("NOT (missing = 1 AND a = 2)", ("a", 1)));

    [Fact]
    public void UnknownAndTrueIsUnknown()
    {
        Assert.False(Sql.Matches("missing = 1 AND a = 1", ("a", 1)));
        Assert.False(Sql.Matches("NOT (missing = 1 AND a = 1)", ("a", 1)));
    }

    [Fact]
    public void UnknownOrTrueIsTrue() => Assert.True(Sql.Matches("missing = 1 OR a = 1", ("a", 1)));

    [Fact]
    public void UnknownOrFalseIsUnknown()
    {
        Assert.False(Sql.Matches("missing = 1 OR a = 2", ("a", 1)));
        Assert.False(Sql.Matches("NOT (missing = 1 OR a = 2)", ("a", 1)));
    }

    [Fact]
    public void NullValuedPropertyComparesAsUnknown()
    {
        Assert.False(Sql.Matches("a = 1", ("a", null)));
        Assert.False(Sql.Matches("a <> 1", ("a", null)));
    }

    [Theory]
    [InlineData("TRUE", true)]
    [InlineData("FALSE", false)]
    [InlineData("1 = 1", true)]
    [InlineData("1 = 0", false)]
    [InlineData("NOT FALSE", true)]
    public void ConstantConditionsAreAllowed(string expression, bool expected) =>
        Assert.Equal(expected, Sql.Matches(expression));

    [Fact]
    public void NonBooleanPropertyUsedAsConditionDoesNotMatch()
    {
        Assert.False(Sql.Matches("name", ("name", "x")));
        Assert.False(Sql.Matches("NOT name", ("name", "x")));
    }

    [Theory]
    [InlineData("a = 1 and b = 2 or c = 3")]
    [InlineData("a = 1 AnD b = 2 Or c = 3")]
    [InlineData("not a = 2 AND b IN (2) and c is null and d like 'x%' and exists(b)")]
    public void KeywordsAreCaseInsensitive(string expression) =>
        Assert.True(Sql.Matches(expression, ("a", 1), ("b", 2), ("d", "xy")));

    [Fact]
    public void LongConjunctionChainsEvaluate()
    {
        var expression = string.Join(" AND ", Enumerable.Repeat("a = 1", 100));
        Assert.True(Sql.Matches(expression, ("a", 1)));
        Assert.False(Sql.Matches(expression + " AND a = 2", ("a", 1)));
    }

    [Fact]
    public void ParsedFilterCanBeReusedAcrossMessages()
    {
        var filter = SqlFilter.Parse("color = 'red'");
        Assert.True(filter.Matches(TestMessage.With(("color", "red"))));
        Assert.False(filter.Matches(TestMessage.With(("color", "blue"))));
        Assert.Equal("color = 'red'", filter.Expression);
    }
}
