using Loire.Filters.Values;

namespace Loire.Filters.Sql;

/// <summary><c>IS [NOT] NULL</c>: never unknown; a missing property counts as null.</summary>
internal sealed class IsNullExpression(SqlExpression operand, bool negated) : SqlExpression
{
    private readonly SqlExpression _operand = operand;
    private readonly bool _negated = negated;

    public override SqlType Type => SqlType.Boolean;

    public override SqlValue Evaluate(IFilterMessage message) =>
        SqlValue.FromBoolean(_operand.Evaluate(message).IsUnknown != _negated);
}
