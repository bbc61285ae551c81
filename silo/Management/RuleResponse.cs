using System.Collections.Immutable;
using Loire.Entities;

namespace Loire.Silo.Management;

/// <summary>A rule of a subscription.</summary>
public sealed record RuleResponse(string Name, RuleFilterDto Filter)
{
    public static RuleResponse From(RuleDescription rule) => new(rule.Name, RuleFilterDto.From(rule.Filter));

    public static IReadOnlyList<RuleResponse> FromAll(ImmutableArray<RuleDescription> rules) =>
        rules.IsDefault ? [] : [.. rules.Select(From)];
}
