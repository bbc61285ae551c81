namespace Loire.Filters.Values;

/// <summary>Comparison rules shared by SQL and correlation filters: numbers by value across widths, strings ordinally, no implicit conversions otherwise.</summary>
internal static class ValueComparison
{
    /// <summary>Equality; false when the values cannot be compared (the caller's "unknown").</summary>
    public static bool TryEquals(in SqlValue left, in SqlValue right, out bool equal)
    {
        if (left.Kind == SqlValueKind.Boolean && right.Kind == SqlValueKind.Boolean)
        {
            equal = left.Boolean == right.Boolean;
            return true;
        }

        // A Guid can never equal text that is not a Guid; that is a definite "no", not "unknown".
        if (TryGetGuidAndText(left, right, out var guid, out var text))
        {
            equal = Guid.TryParse(text, out var parsed) && parsed == guid;
            return true;
        }

        if (TryCompare(left, right, out var order))
        {
            equal = order == 0;
            return true;
        }

        equal = false;
        return false;
    }

    /// <summary>Ordering; false when the values have no common order (including booleans).</summary>
    public static bool TryCompare(in SqlValue left, in SqlValue right, out int order)
    {
        if (left.IsNumber && right.IsNumber)
        {
            return TryCompareNumbers(left, right, out order);
        }

        order = 0;
        switch (left.Kind)
        {
            case SqlValueKind.String when right.Kind == SqlValueKind.String:
                order = string.CompareOrdinal(left.String, right.String);
                return true;
            case SqlValueKind.Guid when right.Kind == SqlValueKind.Guid:
                order = ((Guid)left.Reference).CompareTo((Guid)right.Reference);
                return true;
            case SqlValueKind.Guid when right.Kind == SqlValueKind.String:
                return TryCompareGuidWithText((Guid)left.Reference, right.String, out order);
            case SqlValueKind.String when right.Kind == SqlValueKind.Guid:
                var found = TryCompareGuidWithText((Guid)right.Reference, left.String, out order);
                order = -order;
                return found;
            case SqlValueKind.DateTimeOffset when right.Kind == SqlValueKind.DateTimeOffset:
                order = ((DateTimeOffset)left.Reference).CompareTo((DateTimeOffset)right.Reference);
                return true;
            case SqlValueKind.DateTime when right.Kind == SqlValueKind.DateTime:
                order = ((DateTime)left.Reference).CompareTo((DateTime)right.Reference);
                return true;
            case SqlValueKind.TimeSpan when right.Kind == SqlValueKind.TimeSpan:
                order = ((TimeSpan)left.Reference).CompareTo((TimeSpan)right.Reference);
                return true;
            default:
                return false;
        }
    }

    private static bool TryCompareNumbers(in SqlValue left, in SqlValue right, out int order)
    {
        if (left.Kind == SqlValueKind.Integer && right.Kind == SqlValueKind.Integer)
        {
            order = left.Integer.CompareTo(right.Integer);
            return true;
        }

        if (left.Kind == SqlValueKind.Double || right.Kind == SqlValueKind.Double)
        {
            var l = left.ToDouble();
            var r = right.ToDouble();
            order = l.CompareTo(r);

            // NaN has no place in an order; double.CompareTo would silently sort it first.
            return !double.IsNaN(l) && !double.IsNaN(r);
        }

        order = left.ToDecimal().CompareTo(right.ToDecimal());
        return true;
    }

    private static bool TryCompareGuidWithText(Guid guid, string text, out int order)
    {
        if (Guid.TryParse(text, out var parsed))
        {
            order = guid.CompareTo(parsed);
            return true;
        }

        order = 0;
        return false;
    }

    private static bool TryGetGuidAndText(in SqlValue left, in SqlValue right, out Guid guid, out string text)
    {
        if (left.Kind == SqlValueKind.Guid && right.Kind == SqlValueKind.String)
        {
            guid = (Guid)left.Reference;
            text = right.String;
            return true;
        }

        if (left.Kind == SqlValueKind.String && right.Kind == SqlValueKind.Guid)
        {
            guid = (Guid)right.Reference;
            text = left.String;
            return true;
        }

        guid = default;
        text = string.Empty;
        return false;
    }
}
