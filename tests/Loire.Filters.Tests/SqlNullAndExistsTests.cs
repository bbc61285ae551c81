namespace Loire.Filters.Tests;

public class SqlNullAndExistsTests
{
    [Fact]
    public void IsNullIsTrueForAMissingProperty() => Assert.True(Sql.Matches("a IS NULL"));

    [Fact]
    public void IsNullIsTrueForANullValuedProperty() => Assert.True(Sql.Matches("a IS NULL", ("a", null)));

    [Fact]
    public void IsNullIsFalseForAPresentValue() => Assert.False(Sql.Matches("a IS NULL", ("a", 0)));

    [Fact]
    public void IsNotNullIsTrueForAPresentValue() => Assert.True(Sql.Matches("a IS NOT NULL", ("a", "")));

    [Fact]
    public void IsNotNullIsFalseForMissingOrNull()
    {
        Assert.False(Sql.Matches("a IS NOT NULL"));
        Assert.False(Sql.Matches("a IS NOT NULL", ("a", null)));
    }

    [Fact]
    public void IsNullIsNeverUnknownSoItsNegationWorks() => Assert.True(Sql.Matches("NOT (a IS NULL)", ("a", 1)));

    [Fact]
    public void IsNullOnArithmeticWithAMissingOperandIsTrue() => Assert.True(Sql.Matches("a + 1 IS NULL"));

    [Fact]
    public void IsNotNullSeesValuesOfUnsupportedTypes() =>
        Assert.True(Sql.Matches("blob IS NOT NULL", ("blob", new byte[] { 1 })));

    [Fact]
    public void ExistsIsTrueForAPresentProperty() => Assert.True(Sql.Matches("EXISTS(a)", ("a", 1)));

    [Fact]
    public void ExistsIsTrueEvenWhenTheValueIsNull() => Assert.True(Sql.Matches("EXISTS(a)", ("a", null)));

    [Fact]
    public void ExistsIsFalseForAMissingProperty() => Assert.False(Sql.Matches("EXISTS(a)"));

    [Fact]
    public void NotExistsIsTrueForAMissingProperty()
    {
        Assert.True(Sql.Matches("NOT EXISTS(a)"));
        Assert.False(Sql.Matches("NOT EXISTS (a)", ("a", 1)));
    }

    [Fact]
    public void ExistsWorksOnSystemAndQuotedProperties()
    {
        var message = new TestMessage().Sys("Subject", "x").App("my prop", 1);
        Assert.True(Sql.Matches("EXISTS(sys.Subject) AND EXISTS([my prop])", message));
        Assert.False(Sql.Matches("EXISTS(sys.To)", message));
    }

    [Fact]
    public void ApplicationPropertyNamesAreCaseSensitive()
    {
        Assert.True(Sql.Matches("EXISTS(Color)", ("Color", "red")));
        Assert.False(Sql.Matches("EXISTS(color)", ("Color", "red")));
    }
}
