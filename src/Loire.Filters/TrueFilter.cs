namespace Loire.Filters;

/// <summary>A filter that matches every message.</summary>
public sealed class TrueFilter : MessageFilter
{
    private TrueFilter()
    {
    }

    /// <summary>The only instance.</summary>
    public static TrueFilter Instance { get; } = new();

    /// <inheritdoc />
    public override bool Matches(IFilterMessage message) => true;

    /// <inheritdoc />
    public override string ToString() => "TRUE";
}
