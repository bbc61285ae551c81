using Loire.Filters.Values;

namespace Loire.Filters.Sql;

/// <summary>
/// <c>[NOT] IN (constants)</c>. The list is homogeneous (checked by the parser), so a value of another type is unknown
/// rather than "not in the list"; string lists are hashed because they are the long ones in practice.
/// </summary>
internal sealed class InExpression : SqlExpression
{
    private readonly SqlExpression _operand;
    private readonly SqlValue[] _items;
    private readonly HashSet<string>? _strings;
    private readonly bool _negated;

    public InExpression(SqlExpression operand, SqlValue[] items, bool negated)
    {
        _operand = operand;
        _items = items;
        _negated = negated;
        if (items.Length > 0 && items[0].Kind == SqlValueKind.String)
        {
            _strings = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in items)
            {
                _strings.Add(item.String);
            }
        }
    }

    public override SqlType Type => SqlType.Boolean;

    public override SqlValue Evaluate(IFilterMessage message)
    {
        var value = _operand.Evaluate(message);
        if (value.IsUnknown)
        {
            return SqlValue.Unknown;
        }

        if (value.Kind == SqlValueKind.String && _strings is not null)
        {
            return SqlValue.FromBoolean(_strings.Contains(value.String) != _negated);
        }

        var comparable = false;
        foreach (var item in _items)
        {
            if (ValueComparison.TryEquals(value, item, out var equal))
            {
                if (equal)
                {
                    return SqlValue.FromBoolean(!_negated);
                }

                comparable = true;
            }
        }

        return comparable ? SqlValue.FromBoolean(_negated) : SqlValue.Unknown;
    }
}
