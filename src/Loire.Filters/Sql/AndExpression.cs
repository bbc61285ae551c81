using Loire.Filters.Values;

namespace Loire.Filters.Sql;

/// <summary>N-ary AND with three-valued logic: false wins over unknown, unknown wins over true.</summary>
/// <remarks>Chains are flattened into one node so long conjunctions neither recurse deeply nor re-dispatch per pair.</remarks>
internal sealed class AndExpression(SqlExpression[] operands) : SqlExpression
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
            else if (!value.Boolean)
            {
                return SqlValue.False;
            }
        }

        return unknown ? SqlValue.Unknown : SqlValue.True;
    }
}
