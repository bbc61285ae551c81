namespace Loire.Silo.Management;

/// <summary>Body of a rule create: its name and filter.</summary>
public sealed record RuleRequest(string Name, RuleFilterDto Filter);

/// <summary>Body of a rule replace: the new filter of the rule the route names.</summary>
public sealed record ReplaceRuleRequest(RuleFilterDto Filter);
