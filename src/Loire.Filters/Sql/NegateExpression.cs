using Loire.Filters.Values;

namespace Loire.Filters.Sql;

/// <summary>Unary minus on a number.</summary>
internal sealed class NegateExpression(SqlExpression operand) : SqlExpression
{
    private readonly SqlExpression _operand = operand;

    public override SqlType Type => SqlType.Number;

    public override SqlValue Evaluate(IFilterMessage message) => ValueArithmetic.Negate(_operand.Evaluate(message));
}
