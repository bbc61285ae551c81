using Loire.Filters.Values;

namespace Loire.Filters.Sql;

/// <summary>A binary arithmetic operation on numbers.</summary>
internal sealed class ArithmeticExpression(ArithmeticOperator op, SqlExpression left, SqlExpression right) : SqlExpression
{
    private readonly ArithmeticOperator _operator = op;
    private readonly SqlExpression _left = left;
    private readonly SqlExpression _right = right;

    public override SqlType Type => SqlType.Number;

    public override SqlValue Evaluate(IFilterMessage message) =>
        ValueArithmetic.Apply(_operator, _left.Evaluate(message), _right.Evaluate(message));
}
