using System.Text.Json;
using Loire.Entities;

namespace Loire.Silo.Management;

/// <summary>
/// A rule filter: <c>{"type":"sql","sqlExpression":"priority = 'high'"}</c>, <c>{"type":"correlation","correlation":{...}}</c>,
/// <c>{"type":"true"}</c> or <c>{"type":"false"}</c>.
/// </summary>
public sealed record RuleFilterDto(RuleFilterType Type, string? SqlExpression = null, CorrelationFilterDto? Correlation = null)
{
    public static RuleFilterDto From(FilterDescription filter) => filter.Kind switch
    {
        FilterKind.Sql => new(RuleFilterType.Sql, filter.SqlExpression),
        FilterKind.Correlation => new(RuleFilterType.Correlation, Correlation: CorrelationFilterDto.From(filter.Correlation)),
        FilterKind.False => new(RuleFilterType.False),
        _ => new(RuleFilterType.True),
    };

    /// <summary>The filter as the broker stores it; the topic grain parses it and refuses a malformed one.</summary>
    public FilterDescription ToDescription(string entityPath)
    {
        if (Type != RuleFilterType.Sql && SqlExpression is not null)
        {
            throw ManagementProblem.Invalid($"'sqlExpression' belongs to a filter of type sql, not {Type.ToString().ToLowerInvariant()}.", entityPath);
        }

        if (Type != RuleFilterType.Correlation && Correlation is not null)
        {
            throw ManagementProblem.Invalid($"'correlation' belongs to a filter of type correlation, not {Type.ToString().ToLowerInvariant()}.", entityPath);
        }

        return Type switch
        {
            RuleFilterType.Sql => new FilterDescription(FilterKind.Sql, SqlExpression),
            RuleFilterType.Correlation => new FilterDescription(FilterKind.Correlation,
                Correlation: (Correlation ?? throw ManagementProblem.Invalid("A correlation filter needs 'correlation'.", entityPath)).ToDescription(entityPath)),
            RuleFilterType.False => new FilterDescription(FilterKind.False),
            _ => FilterDescription.MatchAll,
        };
    }
}

/// <summary>Correlation filter: every field given must equal the message's (Subject may be a routing-key pattern).</summary>
public sealed record CorrelationFilterDto
{
    public string? CorrelationId { get; init; }
    public string? MessageId { get; init; }
    public string? To { get; init; }
    public string? ReplyTo { get; init; }
    public string? Subject { get; init; }
    public string? SessionId { get; init; }
    public string? ReplyToSessionId { get; init; }
    public string? ContentType { get; init; }
    public Dictionary<string, JsonElement>? ApplicationProperties { get; init; }

    public static CorrelationFilterDto? From(CorrelationFilterDescription? c) => c is null ? null : new()
    {
        CorrelationId = c.CorrelationId,
        MessageId = c.MessageId,
        To = c.To,
        ReplyTo = c.ReplyTo,
        Subject = c.Subject,
        SessionId = c.SessionId,
        ReplyToSessionId = c.ReplyToSessionId,
        ContentType = c.ContentType,
        ApplicationProperties = c.ApplicationProperties?.ToDictionary(p => p.Key, p => JsonSerializer.SerializeToElement(p.Value)),
    };

    public CorrelationFilterDescription ToDescription(string entityPath) => new()
    {
        CorrelationId = CorrelationId,
        MessageId = MessageId,
        To = To,
        ReplyTo = ReplyTo,
        Subject = Subject,
        SessionId = SessionId,
        ReplyToSessionId = ReplyToSessionId,
        ContentType = ContentType,
        ApplicationProperties = JsonPropertyValues.ToObjects(ApplicationProperties, "Correlation property", entityPath),
    };
}
