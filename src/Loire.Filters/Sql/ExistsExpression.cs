using Loire.Filters.Values;

namespace Loire.Filters.Sql;

/// <summary><c>EXISTS(property)</c>: true when the message carries the property, even with a null value.</summary>
internal sealed class ExistsExpression(PropertyExpression property) : SqlExpression
{
    private readonly PropertyExpression _property = property;

    public override SqlType Type => SqlType.Boolean;

    public override SqlValue Evaluate(IFilterMessage message) => SqlValue.FromBoolean(_property.TryGetRaw(message, out _));
}
