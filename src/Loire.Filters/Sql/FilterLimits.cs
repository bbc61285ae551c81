namespace Loire.Filters.Sql;

/// <summary>Bounds that keep parsing and evaluation cheap and the stack shallow whatever a client submits.</summary>
internal static class FilterLimits
{
    public const int MaxExpressionLength = 1024;
    public const int MaxNestingDepth = 32;
    public const int MaxInListItems = 256;
}
