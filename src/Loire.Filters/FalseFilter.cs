namespace Loire.Filters;

/// <summary>A filter that matches no message.</summary>
public sealed class FalseFilter : MessageFilter
{
    private FalseFilter()
    {
    }

    /// <summary>The only instance.</summary>
    public static FalseFilter Instance { get; } = new();

    /// <inheritdoc />
    public override bool Matches(IFilterMessage message) => false;

    /// <inheritdoc />
    public override string ToString() => "FALSE";
}
