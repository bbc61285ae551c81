namespace Loire.Filters.Tests;

/// <summary>Shorthand for parsing and evaluating in one go.</summary>
internal static class Sql
{
    public static bool Matches(string expression, IFilterMessage message) => SqlFilter.Parse(expression).Matches(message);

    public static bool Matches(string expression, params (string Name, object? Value)[] properties) =>
        Matches(expression, TestMessage.With(properties));

    public static FilterSyntaxException Error(string expression) =>
        Assert.Throws<FilterSyntaxException>(() => SqlFilter.Parse(expression));
}
