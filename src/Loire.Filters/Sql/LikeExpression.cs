using Loire.Filters.Values;

namespace Loire.Filters.Sql;

/// <summary><c>[NOT] LIKE pattern</c> against a string; unknown for anything that is not a string.</summary>
internal sealed class LikeExpression(SqlExpression operand, LikePattern pattern, bool negated) : SqlExpression
{
    private readonly SqlExpression _operand = operand;
    private readonly LikePattern _pattern = pattern;
    private readonly bool _negated = negated;

    public override SqlType Type => SqlType.Boolean;

    public override SqlValue Evaluate(IFilterMessage message)
    {
        var value = _operand.Evaluate(message);
        return value.Kind == SqlValueKind.String
            ? SqlValue.FromBoolean(_pattern.IsMatch(value.String) != _negated)
            : SqlValue.Unknown;
    }
}
