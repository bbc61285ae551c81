using Loire.Filters.Values;

namespace Loire.Filters.Sql;

/// <summary>A node of a parsed filter expression. Nodes are immutable and safe to evaluate concurrently.</summary>
internal abstract class SqlExpression
{
    /// <summary>The statically known result type.</summary>
    public abstract SqlType Type { get; }

    /// <summary>Evaluates the node; conditions yield a boolean or <see cref="SqlValue.Unknown"/>.</summary>
    public abstract SqlValue Evaluate(IFilterMessage message);
}
