using Loire.Entities;

namespace Loire.Client.Administration;

/// <summary>A rule of a subscription: its name and filter.</summary>
public sealed class RuleProperties
{
    /// <summary>Name of the rule every new subscription gets unless another is given; it accepts every message.</summary>
    public const string DefaultRuleName = RuleDescription.DefaultRuleName;

    internal RuleProperties(RuleDescription description)
    {
        Name = description.Name;
        Filter = RuleFilter.FromDescription(description.Filter);
    }

    /// <summary>The rule's name.</summary>
    public string Name { get; }

    /// <summary>Which messages the rule accepts.</summary>
    public RuleFilter Filter { get; }

    /// <inheritdoc />
    public override string ToString() => $"Rule {Name}: {Filter}";
}
