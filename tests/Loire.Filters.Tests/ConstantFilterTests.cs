namespace Loire.Filters.Tests;

public class ConstantFilterTests
{
    [Fact]
    public void TrueFilterMatchesEveryMessage() => Assert.True(TrueFilter.Instance.Matches(new TestMessage()));

    [Fact]
    public void FalseFilterMatchesNoMessage() => Assert.False(FalseFilter.Instance.Matches(TestMessage.With(("a", 1))));

    [Fact]
    public void ConstantFiltersAreSingletons()
    {
        Assert.Same(TrueFilter.Instance, TrueFilter.Instance);
        Assert.Same(FalseFilter.Instance, FalseFilter.Instance);
    }

    [Fact]
    public void FiltersAreUsableThroughTheBaseType()
    {
        MessageFilter[] filters = [TrueFilter.Instance, SqlFilter.Parse("a = 1"), new CorrelationFilter(null, null, null, null, "s", null, null, null, null)];
        var message = new TestMessage().Sys("Subject", "s").App("a", 1);
        Assert.All(filters, filter => Assert.True(filter.Matches(message)));
    }
}
