namespace Loire.Filters.Tests;

public class SqlValueTypeTests
{
    private static readonly DateTimeOffset Noon = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void DateTimeOffsetPropertiesCompareWithEachOther()
    {
        Assert.True(Sql.Matches("a < b", ("a", Noon), ("b", Noon.AddSeconds(1))));
        Assert.True(Sql.Matches("a = b", ("a", Noon), ("b", Noon.ToOffset(TimeSpan.FromHours(2)))));
    }

    [Fact]
    public void DateTimePropertiesCompareWithEachOther() =>
        Assert.True(Sql.Matches("a > b", ("a", Noon.UtcDateTime.AddDays(1)), ("b", Noon.UtcDateTime)));

    [Fact]
    public void TimeSpanPropertiesCompareWithEachOther() =>
        Assert.True(Sql.Matches("a >= b", ("a", TimeSpan.FromMinutes(5)), ("b", TimeSpan.FromMinutes(5))));

    [Fact]
    public void DifferentTemporalTypesAreUnknown()
    {
        Assert.False(Sql.Matches("a = b", ("a", Noon), ("b", Noon.UtcDateTime)));
        Assert.False(Sql.Matches("a <> b", ("a", Noon), ("b", Noon.UtcDateTime)));
        Assert.False(Sql.Matches("a = '2024-05-01'", ("a", Noon)));
    }

    [Fact]
    public void GuidPropertiesCompareWithGuidsAndGuidStrings()
    {
        var id = Guid.NewGuid();
        Assert.True(Sql.Matches("a = b", ("a", id), ("b", id)));
        Assert.True(Sql.Matches($"a = '{id}'", ("a", id)));
        Assert.True(Sql.Matches($"a = '{id.ToString().ToUpperInvariant()}'", ("a", id)));
        Assert.True(Sql.Matches($"a IN ('nope', '{id:N}')", ("a", id)));
        Assert.True(Sql.Matches($"a <> '{Guid.NewGuid()}'", ("a", id)));
    }

    [Fact]
    public void GuidIsNotEqualToTextThatIsNotAGuid()
    {
        Assert.False(Sql.Matches("a = 'not-a-guid'", ("a", Guid.NewGuid())));
        Assert.True(Sql.Matches("a <> 'not-a-guid'", ("a", Guid.NewGuid())));
    }
}
