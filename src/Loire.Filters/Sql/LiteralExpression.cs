using Loire.Filters.Values;

namespace Loire.Filters.Sql;

/// <summary>A constant.</summary>
internal sealed class LiteralExpression(SqlValue value, SqlType type) : SqlExpression
{
    public SqlValue Value { get; } = value;

    public override SqlType Type { get; } = type;

    public override SqlValue Evaluate(IFilterMessage message) => Value;
}
