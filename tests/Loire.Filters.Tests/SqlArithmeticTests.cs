namespace Loire.Filters.Tests;

public class SqlArithmeticTests
{
    [Theory]
    [InlineData("a + b = 10", true)]
    [InlineData("a - b = 4", true)]
    [InlineData("a * b = 21", true)]
    [InlineData("a / b = 2", true)]
    [InlineData("a % b = 1", true)]
    [InlineData("a + b = 11", false)]
    [InlineData("a / b = 2.3333", false)]
    public void IntegerArithmeticFollowsSqlRules(string expression, bool expected) =>
        Assert.Equal(expected, Sql.Matches(expression, ("a", 7), ("b", 3)));

    [Fact]
    public void DoubleOperandMakesDivisionFractional() => Assert.True(Sql.Matches("a / 2.0 = 3.5", ("a", 7)));

    [Fact]
    public void MultiplicationBindsTighterThanAddition()
    {
        Assert.True(Sql.Matches("1 + 2 * 3 = 7"));
        Assert.True(Sql.Matches("(1 + 2) * 3 = 9"));
        Assert.True(Sql.Matches("10 - 4 - 3 = 3"));
    }

    [Fact]
    public void UnaryMinusNegatesNumbersAndProperties()
    {
        Assert.True(Sql.Matches("-a = -5", ("a", 5)));
        Assert.True(Sql.Matches("a > -1", ("a", 0)));
        Assert.True(Sql.Matches("- -a = 5", ("a", 5)));
        Assert.True(Sql.Matches("+a = 5", ("a", 5)));
        Assert.True(Sql.Matches("a = -2.5", ("a", -2.5)));
    }

    [Fact]
    public void DivisionByZeroIsUnknown()
    {
        Assert.False(Sql.Matches("a / 0 = 1", ("a", 1)));
        Assert.False(Sql.Matches("NOT (a / 0 = 1)", ("a", 1)));
        Assert.False(Sql.Matches("a / 0.0 > 0", ("a", 1.0)));
        Assert.False(Sql.Matches("a % 0 = 0", ("a", 1)));
        Assert.True(Sql.Matches("a / b IS NULL", ("a", 1m), ("b", 0m)));
    }

    [Fact]
    public void IntegerOverflowIsUnknownRatherThanWrapping()
    {
        Assert.False(Sql.Matches("a + 1 < 0", ("a", long.MaxValue)));
        Assert.False(Sql.Matches("-a > 0", ("a", long.MinValue)));
        Assert.True(Sql.Matches("a * a IS NULL", ("a", long.MaxValue)));
    }

    [Fact]
    public void DecimalArithmeticKeepsPrecision() => Assert.True(Sql.Matches("a + b = c", ("a", 0.1m), ("b", 0.2m), ("c", 0.3m)));

    [Fact]
    public void ArithmeticOnNonNumbersIsUnknown()
    {
        Assert.False(Sql.Matches("s + 1 = 2", ("s", "1")));
        Assert.True(Sql.Matches("s + 1 IS NULL", ("s", "1")));
    }

    [Theory]
    [InlineData("a = 1.5e3", 1500.0)]
    [InlineData("a = .5", 0.5)]
    [InlineData("a = 2.", 2.0)]
    [InlineData("a = 1E-2", 0.01)]
    public void DecimalLiteralsAcceptCommonForms(string expression, double value) =>
        Assert.True(Sql.Matches(expression, ("a", value)));
}
