using Loire.Client;
using Loire.Entities;
using Loire.Filters;

namespace Loire.Grains.Topics;

/// <summary>Turns stored rule filters into evaluable filters; a malformed filter is refused with InvalidArgument.</summary>
public static class RuleCompiler
{
    public static MessageFilter Compile(RuleDescription rule, string entityPath)
    {
        var filter = rule.Filter ?? throw Invalid(entityPath, $"Rule '{rule.Name}' has no filter.");
        return filter.Kind switch
        {
            FilterKind.True => TrueFilter.Instance,
            FilterKind.False => FalseFilter.Instance,
            FilterKind.Sql => CompileSql(rule.Name, filter.SqlExpression, entityPath),
            FilterKind.Correlation => CompileCorrelation(rule.Name, filter.Correlation, entityPath),
            _ => throw Invalid(entityPath, $"Rule '{rule.Name}' has an unknown filter kind {filter.Kind}."),
        };
    }

    private static SqlFilter CompileSql(string ruleName, string? expression, string entityPath)
    {
        if (string.IsNullOrWhiteSpace(expression))
        {
            throw Invalid(entityPath, $"Rule '{ruleName}' has an empty SQL filter.");
        }

        try
        {
            return SqlFilter.Parse(expression);
        }
        catch (FilterSyntaxException exception)
        {
            throw Invalid(entityPath, $"Rule '{ruleName}' has an invalid SQL filter: {exception.Message}");
        }
    }

    private static CorrelationFilter CompileCorrelation(string ruleName, CorrelationFilterDescription? correlation, string entityPath)
    {
        if (correlation is null)
        {
            throw Invalid(entityPath, $"Rule '{ruleName}' has an empty correlation filter.");
        }

        return new CorrelationFilter(correlation.CorrelationId, correlation.MessageId, correlation.To, correlation.ReplyTo,
            correlation.Subject, correlation.SessionId, correlation.ReplyToSessionId, correlation.ContentType, correlation.ApplicationProperties);
    }

    private static LoireException Invalid(string entityPath, string message) =>
        new(LoireErrorReason.InvalidArgument, message, entityPath);
}
