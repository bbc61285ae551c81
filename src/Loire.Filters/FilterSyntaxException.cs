namespace Loire.Filters;

/// <summary>Thrown when a SQL filter expression is malformed or exceeds a limit.</summary>
/// <remarks>The message is meant for the person who wrote the expression: it names what was expected, what was found and the column.</remarks>
public sealed class FilterSyntaxException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">A description that already includes the column.</param>
    /// <param name="position">The 1-based column in the expression where the problem was detected.</param>
    public FilterSyntaxException(string message, int position)
        : base(message)
    {
        Position = position;
    }

    /// <summary>The 1-based column in the expression where the problem was detected (one past the end for a truncated expression).</summary>
    public int Position { get; }
}
