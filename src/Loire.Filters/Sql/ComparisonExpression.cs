using Loire.Filters.Values;

namespace Loire.Filters.Sql;

/// <summary>A comparison; unknown when either side is unknown or the two values have no common comparison.</summary>
internal sealed class ComparisonExpression(ComparisonOperator op, SqlExpression left, SqlExpression right) : SqlExpression
{
    private readonly ComparisonOperator _operator = op;
    private readonly SqlExpression _left = left;
    private readonly SqlExpression _right = right;

    public override SqlType Type => SqlType.Boolean;

    public override SqlValue Evaluate(IFilterMessage message)
    {
        var left = _left.Evaluate(message);
        if (left.IsUnknown)
        {
            return SqlValue.Unknown;
        }

        var right = _right.Evaluate(message);
        if (_operator is ComparisonOperator.Equal or ComparisonOperator.NotEqual)
        {
            return ValueComparison.TryEquals(left, right, out var equal)
                ? SqlValue.FromBoolean(equal == (_operator == ComparisonOperator.Equal))
                : SqlValue.Unknown;
        }

        if (!ValueComparison.TryCompare(left, right, out var order))
        {
            return SqlValue.Unknown;
        }

        return SqlValue.FromBoolean(_operator switch
        {
            ComparisonOperator.Less => order < 0,
            ComparisonOperator.LessOrEqual => order <= 0,
            ComparisonOperator.Greater => order > 0,
            _ => order >= 0,
        });
    }
}
