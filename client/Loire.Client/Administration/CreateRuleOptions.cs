using Loire.Client.Internal;
using Loire.Entities;

namespace Loire.Client.Administration;

/// <summary>A rule to add to a subscription: a name and a filter.</summary>
public sealed class CreateRuleOptions
{
    private string _name;
    private RuleFilter _filter;

    /// <summary>Creates the default rule: <see cref="RuleProperties.DefaultRuleName"/> with a <see cref="TrueRuleFilter"/>.</summary>
    public CreateRuleOptions()
        : this(RuleProperties.DefaultRuleName, new TrueRuleFilter())
    {
    }

    /// <summary>Creates a rule that accepts every message.</summary>
    /// <param name="name">The rule's name, unique within its subscription.</param>
    public CreateRuleOptions(string name)
        : this(name, new TrueRuleFilter())
    {
    }

    /// <summary>Creates a rule.</summary>
    /// <param name="name">The rule's name, unique within its subscription.</param>
    /// <param name="filter">Which messages it accepts.</param>
    public CreateRuleOptions(string name, RuleFilter filter)
    {
        _name = name ?? throw new ArgumentNullException(nameof(name));
        _filter = filter ?? throw new ArgumentNullException(nameof(filter));
    }

    /// <summary>The rule's name (letters, digits, '.', '-', '_'; at most 50 characters).</summary>
    public string Name
    {
        get => _name;
        set => _name = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Which messages the rule accepts.</summary>
    public RuleFilter Filter
    {
        get => _filter;
        set => _filter = value ?? throw new ArgumentNullException(nameof(value));
    }

    internal RuleDescription ToDescription(string? entityPath)
    {
        Validation.ValidateRuleName(Name);
        return new RuleDescription(Name, Filter.ToDescription(entityPath));
    }
}
