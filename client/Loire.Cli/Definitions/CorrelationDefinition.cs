using System.Text.Json;
using Loire.Cli.Infrastructure;
using Loire.Client.Administration;

namespace Loire.Cli.Definitions;

/// <summary>A correlation filter in an export file: the system properties to match and the application properties.</summary>
internal sealed class CorrelationDefinition
{
    public string? CorrelationId { get; set; }

    public string? MessageId { get; set; }

    public string? To { get; set; }

    public string? ReplyTo { get; set; }

    public string? Subject { get; set; }

    public string? SessionId { get; set; }

    public string? ReplyToSessionId { get; set; }

    public string? ContentType { get; set; }

    public Dictionary<string, JsonElement>? Properties { get; set; }

    public static CorrelationDefinition From(CorrelationRuleFilter filter) => new()
    {
        CorrelationId = filter.CorrelationId,
        MessageId = filter.MessageId,
        To = filter.To,
        ReplyTo = filter.ReplyTo,
        Subject = filter.Subject,
        SessionId = filter.SessionId,
        ReplyToSessionId = filter.ReplyToSessionId,
        ContentType = filter.ContentType,
        Properties = filter.ApplicationProperties.Count == 0
            ? null
            : filter.ApplicationProperties.ToDictionary(p => p.Key, p => JsonSerializer.SerializeToElement(p.Value, p.Value.GetType())),
    };

    public CorrelationRuleFilter ToFilter()
    {
        var filter = new CorrelationRuleFilter
        {
            CorrelationId = CorrelationId,
            MessageId = MessageId,
            To = To,
            ReplyTo = ReplyTo,
            Subject = Subject,
            SessionId = SessionId,
            ReplyToSessionId = ReplyToSessionId,
            ContentType = ContentType,
        };
        foreach (var (key, value) in Properties ?? [])
        {
            filter.ApplicationProperties[key] = ToPropertyValue(key, value);
        }

        return filter;
    }

    private static object ToPropertyValue(string key, JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number when value.TryGetInt64(out var integer) => integer,
        JsonValueKind.Number => value.GetDouble(),
        _ => throw new CliUsageException($"Correlation property '{key}' must be a string, number or boolean, not {value.ValueKind}."),
    };
}
