using Loire.Filters.Values;

namespace Loire.Filters.Sql;

/// <summary>Logical NOT; NOT unknown stays unknown, so <c>NOT (missing = 1)</c> does not match.</summary>
internal sealed class NotExpression(SqlExpression operand) : SqlExpression
{
    private readonly SqlExpression _operand = operand;

    public override SqlType Type => SqlType.Boolean;

    public override SqlValue Evaluate(IFilterMessage message)
    {
        var value = _operand.Evaluate(message);
        return value.Kind == SqlValueKind.Boolean ? SqlValue.FromBoolean(!value.Boolean) : SqlValue.Unknown;
    }
}
