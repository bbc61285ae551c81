using Loire.Entities;

namespace Loire.Client.Administration;

/// <summary>Accepts no message; pauses a subscription without deleting it.</summary>
public sealed class FalseRuleFilter : RuleFilter
{
    /// <summary>Creates the match-nothing filter.</summary>
    public FalseRuleFilter()
    {
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is FalseRuleFilter;

    /// <inheritdoc />
    public override int GetHashCode() => typeof(FalseRuleFilter).GetHashCode();

    /// <inheritdoc />
    public override string ToString() => "FalseRuleFilter";

    internal override FilterDescription ToDescription(string? entityPath) => new(FilterKind.False);
}
