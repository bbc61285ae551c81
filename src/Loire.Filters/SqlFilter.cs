using Loire.Filters.Sql;
using Loire.Filters.Values;

namespace Loire.Filters;

/// <summary>
/// A filter written in a subset of SQL-92 WHERE-clause syntax over message properties, e.g.
/// <c>sys.Subject = 'order' AND (region IN ('eu', 'us') OR priority &gt; 3)</c>.
/// </summary>
/// <remarks>
/// <para><c>sys.Name</c> reads a system property (looked up as <c>Name</c>), <c>user.name</c> and bare <c>name</c> read the
/// application property <c>name</c>, and <c>[any name]</c> reads an application property verbatim.</para>
/// <para>Evaluation uses three-valued logic: conditions over missing or null properties, or over values of incompatible
/// types, are unknown, and unknown never matches (so <c>NOT (missing = 1)</c> does not match either).</para>
/// </remarks>
public sealed class SqlFilter : MessageFilter
{
    private readonly SqlExpression _root;

    private SqlFilter(string expression, SqlExpression root)
    {
        Expression = expression;
        _root = root;
    }

    /// <summary>The expression as it was given to <see cref="Parse"/>.</summary>
    public string Expression { get; }

    /// <summary>Parses and validates an expression once, so that <see cref="Matches"/> only evaluates.</summary>
    /// <param name="expression">The expression; at most 1024 characters, nesting at most 32 levels, IN lists at most 256 values.</param>
    /// <returns>The compiled filter.</returns>
    /// <exception cref="FilterSyntaxException">The expression is empty, null, malformed, ill-typed or exceeds a limit.</exception>
    public static SqlFilter Parse(string expression)
    {
        // Treat null like empty: it arrives from client-supplied rule descriptions, so it is bad input, not a programming error.
        expression ??= string.Empty;
        return new SqlFilter(expression, Parser.Parse(expression));
    }

    /// <inheritdoc />
    public override bool Matches(IFilterMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var result = _root.Evaluate(message);
        return result.Kind == SqlValueKind.Boolean && result.Boolean;
    }

    /// <inheritdoc />
    public override string ToString() => Expression;
}
