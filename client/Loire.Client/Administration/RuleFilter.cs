using Loire.Entities;

namespace Loire.Client.Administration;

/// <summary>
/// Decides which messages a subscription rule accepts: <see cref="SqlRuleFilter"/>, <see cref="CorrelationRuleFilter"/>,
/// <see cref="TrueRuleFilter"/> or <see cref="FalseRuleFilter"/>.
/// </summary>
public abstract class RuleFilter
{
    private protected RuleFilter()
    {
    }

    /// <summary>The wire form; throws <see cref="LoireErrorReason.InvalidArgument"/> when the filter cannot be valid.</summary>
    internal abstract FilterDescription ToDescription(string? entityPath);

    internal static RuleFilter FromDescription(FilterDescription description) => description.Kind switch
    {
        FilterKind.True => new TrueRuleFilter(),
        FilterKind.False => new FalseRuleFilter(),
        FilterKind.Sql => new SqlRuleFilter(description.SqlExpression ?? string.Empty),
        FilterKind.Correlation => CorrelationRuleFilter.FromDescription(description.Correlation),
        _ => throw new LoireException(LoireErrorReason.GeneralError, $"The broker returned an unknown filter kind {description.Kind}."),
    };
}
