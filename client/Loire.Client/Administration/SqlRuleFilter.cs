using Loire.Client.Internal;
using Loire.Entities;

namespace Loire.Client.Administration;

/// <summary>
/// Accepts messages for which a SQL-like condition over system and application properties holds, e.g.
/// <c>priority = 'high' AND amount &gt; 100</c>, <c>Subject LIKE 'order.%'</c>, <c>EXISTS(region)</c>.
/// The broker checks the syntax when the rule is created.
/// </summary>
public sealed class SqlRuleFilter : RuleFilter
{
    /// <summary>Creates a filter from a condition.</summary>
    /// <param name="sqlExpression">The condition.</param>
    public SqlRuleFilter(string sqlExpression)
    {
        ArgumentNullException.ThrowIfNull(sqlExpression);
        SqlExpression = sqlExpression;
    }

    /// <summary>The condition.</summary>
    public string SqlExpression { get; }

    /// <inheritdoc />
    public override bool Equals(object? obj) =>
        obj is SqlRuleFilter other && string.Equals(SqlExpression, other.SqlExpression, StringComparison.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(SqlExpression);

    /// <inheritdoc />
    public override string ToString() => $"SqlRuleFilter: {SqlExpression}";

    internal override FilterDescription ToDescription(string? entityPath)
    {
        if (string.IsNullOrWhiteSpace(SqlExpression))
        {
            throw Validation.Invalid("A SQL filter expression must not be empty.", entityPath);
        }

        return new FilterDescription(FilterKind.Sql, SqlExpression: SqlExpression);
    }
}
