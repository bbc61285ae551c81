namespace Loire.Filters.Tests;

public class SqlComparisonTests
{
    [Theory]
    [InlineData("n = 5", true)]
    [InlineData("n = 6", false)]
    [InlineData("n <> 6", true)]
    [InlineData("n <> 5", false)]
    [InlineData("n != 6", true)]
    [InlineData("n != 5", false)]
    [InlineData("n < 6", true)]
    [InlineData("n < 5", false)]
    [InlineData("n <= 5", true)]
    [InlineData("n <= 4", false)]
    [InlineData("n > 4", true)]
    [InlineData("n > 5", false)]
    [InlineData("n >= 5", true)]
    [InlineData("n >= 6", false)]
    [InlineData("5 = n", true)]
    [InlineData("6 > n", true)]
    public void EveryComparisonOperatorHasTrueAndFalseCasesOnIntegers(string expression, bool expected) =>
        Assert.Equal(expected, Sql.Matches(expression, ("n", 5)));

    [Theory]
    [InlineData("s = 'beta'", true)]
    [InlineData("s = 'Beta'", false)]
    [InlineData("s <> 'alpha'", true)]
    [InlineData("s > 'alpha'", true)]
    [InlineData("s < 'alpha'", false)]
    [InlineData("s >= 'beta'", true)]
    [InlineData("s <= 'bet'", false)]
    [InlineData("s > 'Zulu'", true)]
    public void StringsCompareOrdinally(string expression, bool expected) =>
        Assert.Equal(expected, Sql.Matches(expression, ("s", "beta")));

    [Theory]
    [InlineData(5)]
    [InlineData(5L)]
    [InlineData(5.0)]
    [InlineData((short)5)]
    [InlineData((byte)5)]
    [InlineData((sbyte)5)]
    [InlineData((ushort)5)]
    [InlineData(5u)]
    [InlineData(5ul)]
    [InlineData(5.0f)]
    public void NumbersOfEveryWidthEqualTheSameLiteral(object value)
    {
        Assert.True(Sql.Matches("n = 5", ("n", value)));
        Assert.True(Sql.Matches("n = 5.0", ("n", value)));
        Assert.False(Sql.Matches("n = 5.5", ("n", value)));
    }

    [Fact]
    public void DecimalPropertiesCompareByValue()
    {
        Assert.True(Sql.Matches("price = 19.99", ("price", 19.99m)));
        Assert.True(Sql.Matches("price > 19", ("price", 19.99m)));
        Assert.True(Sql.Matches("price < 20", ("price", 19.99m)));
    }

    [Fact]
    public void GreaterThanComparesIntegersAndDoubles()
    {
        Assert.True(Sql.Matches("n > 4.5", ("n", 5)));
        Assert.False(Sql.Matches("n > 5.5", ("n", 5)));
        Assert.True(Sql.Matches("d > 4", ("d", 4.25)));
    }

    [Fact]
    public void FloatPropertiesCompareAsTheDecimalTheSenderWrote() =>
        Assert.True(Sql.Matches("ratio = 0.1", ("ratio", 0.1f)));

    [Fact]
    public void LargeUnsignedValuesStillCompare() =>
        Assert.True(Sql.Matches("n > 9223372036854775807", ("n", ulong.MaxValue)));

    [Fact]
    public void NaNIsNeitherEqualNorUnequal()
    {
        Assert.False(Sql.Matches("d = 1.0", ("d", double.NaN)));
        Assert.False(Sql.Matches("d <> 1.0", ("d", double.NaN)));
    }

    [Theory]
    [InlineData("flag = TRUE", true)]
    [InlineData("flag = FALSE", false)]
    [InlineData("flag <> FALSE", true)]
    [InlineData("flag", true)]
    [InlineData("NOT flag", false)]
    public void BooleansCompareWithEqualityOperators(string expression, bool expected) =>
        Assert.Equal(expected, Sql.Matches(expression, ("flag", true)));

    [Fact]
    public void OrderingOnBooleanPropertiesIsUnknown() =>
        Assert.False(Sql.Matches("flag > other", ("flag", true), ("other", false)));

    [Theory]
    [InlineData("n = '5'")]
    [InlineData("n <> '5'")]
    [InlineData("n > 'a'")]
    [InlineData("s = 5")]
    [InlineData("s <> 5")]
    [InlineData("flag = 1")]
    public void TypeMismatchIsUnknownForBothAPredicateAndItsOpposite(string expression) =>
        Assert.False(Sql.Matches(expression, ("n", 5), ("s", "5"), ("flag", true)));

    [Fact]
    public void PropertiesCompareWithEachOther()
    {
        Assert.True(Sql.Matches("a < b", ("a", 1), ("b", 2.5)));
        Assert.False(Sql.Matches("a = b", ("a", "x"), ("b", "y")));
    }

    [Fact]
    public void UnsupportedValueTypesNeverCompare()
    {
        Assert.False(Sql.Matches("blob = 'x'", ("blob", new byte[] { 1 })));
        Assert.False(Sql.Matches("blob <> 'x'", ("blob", new byte[] { 1 })));
    }
}
