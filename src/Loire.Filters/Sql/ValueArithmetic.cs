using Loire.Filters.Values;

namespace Loire.Filters.Sql;

/// <summary>
/// Arithmetic with SQL semantics: integers stay integers (division truncates), a double operand makes the result a double,
/// a decimal operand (without doubles) a decimal. Overflow, division by zero and non-finite results are unknown, never exceptions.
/// </summary>
internal static class ValueArithmetic
{
    public static SqlValue Apply(ArithmeticOperator op, in SqlValue left, in SqlValue right)
    {
        if (!left.IsNumber || !right.IsNumber)
        {
            return SqlValue.Unknown;
        }

        if (left.Kind == SqlValueKind.Integer && right.Kind == SqlValueKind.Integer)
        {
            return ApplyInteger(op, left.Integer, right.Integer);
        }

        if (left.Kind == SqlValueKind.Double || right.Kind == SqlValueKind.Double)
        {
            return ApplyDouble(op, left.ToDouble(), right.ToDouble());
        }

        return ApplyDecimal(op, left.ToDecimal(), right.ToDecimal());
    }

    public static SqlValue Negate(in SqlValue value) => value.Kind switch
    {
        SqlValueKind.Integer when value.Integer != long.MinValue => SqlValue.FromInteger(-value.Integer),
        SqlValueKind.Double => SqlValue.FromDouble(-value.Double),
        SqlValueKind.Decimal => SqlValue.FromDecimal(-value.Decimal),
        _ => SqlValue.Unknown,
    };

    private static SqlValue ApplyInteger(ArithmeticOperator op, long left, long right)
    {
        // Int128 holds every sum, difference and product of two longs, so overflow is a range check, not an exception.
        Int128 result;
        switch (op)
        {
            case ArithmeticOperator.Add:
                result = (Int128)left + right;
                break;
            case ArithmeticOperator.Subtract:
                result = (Int128)left - right;
                break;
            case ArithmeticOperator.Multiply:
                result = (Int128)left * right;
                break;
            case ArithmeticOperator.Divide:
                if (right == 0)
                {
                    return SqlValue.Unknown;
                }

                result = (Int128)left / right;
                break;
            default:
                if (right == 0)
                {
                    return SqlValue.Unknown;
                }

                result = (Int128)left % right;
                break;
        }

        return result >= long.MinValue && result <= long.MaxValue ? SqlValue.FromInteger((long)result) : SqlValue.Unknown;
    }

    private static SqlValue ApplyDouble(ArithmeticOperator op, double left, double right)
    {
        if (right == 0 && op is ArithmeticOperator.Divide or ArithmeticOperator.Modulo)
        {
            return SqlValue.Unknown;
        }

        var result = op switch
        {
            ArithmeticOperator.Add => left + right,
            ArithmeticOperator.Subtract => left - right,
            ArithmeticOperator.Multiply => left * right,
            ArithmeticOperator.Divide => left / right,
            _ => left % right,
        };

        return double.IsFinite(result) ? SqlValue.FromDouble(result) : SqlValue.Unknown;
    }

    private static SqlValue ApplyDecimal(ArithmeticOperator op, decimal left, decimal right)
    {
        if (right == 0 && op is ArithmeticOperator.Divide or ArithmeticOperator.Modulo)
        {
            return SqlValue.Unknown;
        }

        // decimal offers no non-throwing overflow check; overflow is rare enough that the exception cost is irrelevant.
        try
        {
            return SqlValue.FromDecimal(op switch
            {
                ArithmeticOperator.Add => left + right,
                ArithmeticOperator.Subtract => left - right,
                ArithmeticOperator.Multiply => left * right,
                ArithmeticOperator.Divide => left / right,
                _ => left % right,
            });
        }
        catch (OverflowException)
        {
            return SqlValue.Unknown;
        }
    }
}
