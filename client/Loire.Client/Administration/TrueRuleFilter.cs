using Loire.Entities;

namespace Loire.Client.Administration;

/// <summary>Accepts every message; the filter of the default rule.</summary>
public sealed class TrueRuleFilter : RuleFilter
{
    /// <summary>Creates the match-all filter.</summary>
    public TrueRuleFilter()
    {
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is TrueRuleFilter;

    /// <inheritdoc />
    public override int GetHashCode() => typeof(TrueRuleFilter).GetHashCode();

    /// <inheritdoc />
    public override string ToString() => "TrueRuleFilter";

    internal override FilterDescription ToDescription(string? entityPath) => FilterDescription.MatchAll;
}
