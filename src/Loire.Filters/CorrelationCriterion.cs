using Loire.Filters.Values;

namespace Loire.Filters;

/// <summary>One property a <see cref="CorrelationFilter"/> requires, with its expected value pre-classified.</summary>
internal readonly record struct CorrelationCriterion(string Name, SqlValue Expected)
{
    /// <summary>Equal by the SQL equality rules, except that an expected null requires an actual null.</summary>
    public bool IsSatisfiedBy(object? actual)
    {
        var value = SqlValue.FromObject(actual);
        if (Expected.IsUnknown)
        {
            return value.IsUnknown;
        }

        return ValueComparison.TryEquals(value, Expected, out var equal) && equal;
    }
}
