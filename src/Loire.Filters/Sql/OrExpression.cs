using Loire.Filters.Values;

namespace Loire.Filters.Sql;

/// <summary>N-ary OR with three-valued logic: true wins over unknown, unknown wins over false.</summary>
internal sealed class OrExpression(SqlExpression[] operands) : SqlExpression
{
    private readonly SqlExpression[] _operands = operands;

    public override SqlType Type => SqlType.Boolean;

    public override SqlValue Evaluate(IFilterMessage message)
    {
        var unknown = false;
        foreach (var operand in _operands)
        {
            var value = operand.Evaluate(message);
            if (value.Kind != SqlValueKind.Boolean)
            {
                unknown = true;
            }
            else if (value.Boolean)
            {
                return SqlValue.True;
            }
        }

        return unknown ? SqlValue.Unknown : SqlValue.False;
    }
}
