using Loire.Cli.Infrastructure;
using Loire.Client.Administration;

namespace Loire.Cli.Definitions;

/// <summary>A rule in an export file: exactly one of <see cref="Sql"/>, <see cref="Correlation"/> or <see cref="Filter"/> (<c>true</c>/<c>false</c>).</summary>
internal sealed class RuleDefinition
{
    public string Name { get; set; } = "";

    public string? Sql { get; set; }

    public CorrelationDefinition? Correlation { get; set; }

    /// <summary><c>true</c> (match all) or <c>false</c> (match none).</summary>
    public string? Filter { get; set; }

    public static RuleDefinition From(RuleProperties rule) => rule.Filter switch
    {
        SqlRuleFilter sql => new RuleDefinition { Name = rule.Name, Sql = sql.SqlExpression },
        CorrelationRuleFilter correlation => new RuleDefinition { Name = rule.Name, Correlation = CorrelationDefinition.From(correlation) },
        FalseRuleFilter => new RuleDefinition { Name = rule.Name, Filter = "false" },
        _ => new RuleDefinition { Name = rule.Name, Filter = "true" },
    };

    public CreateRuleOptions ToOptions() => new(Name, ToFilter());

    public string Describe() => ToFilter() switch
    {
        SqlRuleFilter sql => $"sql: {sql.SqlExpression}",
        CorrelationRuleFilter correlation => $"correlation: {correlation}",
        FalseRuleFilter => "false",
        _ => "true",
    };

    private RuleFilter ToFilter()
    {
        var given = (Sql is not null ? 1 : 0) + (Correlation is not null ? 1 : 0) + (Filter is not null ? 1 : 0);
        if (given > 1)
        {
            throw new CliUsageException($"Rule '{Name}': give one of a SQL expression, a correlation filter or true/false, not several.");
        }

        if (Sql is not null)
        {
            return new SqlRuleFilter(Sql);
        }

        if (Correlation is not null)
        {
            return Correlation.ToFilter();
        }

        return Filter?.ToLowerInvariant() switch
        {
            null or "true" => new TrueRuleFilter(),
            "false" => new FalseRuleFilter(),
            _ => throw new CliUsageException($"Rule '{Name}': filter must be 'true' or 'false', not '{Filter}'."),
        };
    }
}
