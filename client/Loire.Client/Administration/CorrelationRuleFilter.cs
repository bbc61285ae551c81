using System.Text;
using Loire.Client.Internal;
using Loire.Entities;

namespace Loire.Client.Administration;

/// <summary>
/// Accepts messages whose properties equal every property set here (unset ones are ignored). On
/// <see cref="Subject"/> a routing-key pattern also works: <c>order.*</c> matches one word, <c>order.#</c> any number.
/// At least one property must be set.
/// </summary>
public sealed class CorrelationRuleFilter : RuleFilter
{
    /// <summary>Creates an empty filter; set at least one property.</summary>
    public CorrelationRuleFilter()
    {
    }

    /// <summary>Creates a filter on <see cref="CorrelationId"/>.</summary>
    /// <param name="correlationId">The correlation id to match.</param>
    public CorrelationRuleFilter(string correlationId)
    {
        ArgumentNullException.ThrowIfNull(correlationId);
        CorrelationId = correlationId;
    }

    /// <summary>Matches <see cref="LoireMessage.CorrelationId"/>.</summary>
    public string? CorrelationId { get; set; }

    /// <summary>Matches <see cref="LoireMessage.MessageId"/>.</summary>
    public string? MessageId { get; set; }

    /// <summary>Matches <see cref="LoireMessage.To"/>.</summary>
    public string? To { get; set; }

    /// <summary>Matches <see cref="LoireMessage.ReplyTo"/>.</summary>
    public string? ReplyTo { get; set; }

    /// <summary>Matches <see cref="LoireMessage.Subject"/>, exactly or as a routing-key pattern.</summary>
    public string? Subject { get; set; }

    /// <summary>Matches <see cref="LoireMessage.SessionId"/>.</summary>
    public string? SessionId { get; set; }

    /// <summary>Matches <see cref="LoireMessage.ReplyToSessionId"/>.</summary>
    public string? ReplyToSessionId { get; set; }

    /// <summary>Matches <see cref="LoireMessage.ContentType"/>.</summary>
    public string? ContentType { get; set; }

    /// <summary>Application properties that must be present with these values (same value types as <see cref="LoireMessage.ApplicationProperties"/>).</summary>
    public IDictionary<string, object> ApplicationProperties { get; } = new Dictionary<string, object>(StringComparer.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj)
    {
        if (obj is not CorrelationRuleFilter other
            || CorrelationId != other.CorrelationId || MessageId != other.MessageId || To != other.To
            || ReplyTo != other.ReplyTo || Subject != other.Subject || SessionId != other.SessionId
            || ReplyToSessionId != other.ReplyToSessionId || ContentType != other.ContentType
            || ApplicationProperties.Count != other.ApplicationProperties.Count)
        {
            return false;
        }

        foreach (var (key, value) in ApplicationProperties)
        {
            if (!other.ApplicationProperties.TryGetValue(key, out var otherValue) || !Equals(value, otherValue))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(CorrelationId, MessageId, Subject, To, ContentType);

    /// <inheritdoc />
    public override string ToString()
    {
        var text = new StringBuilder("CorrelationRuleFilter:");
        Append(text, nameof(CorrelationId), CorrelationId);
        Append(text, nameof(MessageId), MessageId);
        Append(text, nameof(To), To);
        Append(text, nameof(ReplyTo), ReplyTo);
        Append(text, nameof(Subject), Subject);
        Append(text, nameof(SessionId), SessionId);
        Append(text, nameof(ReplyToSessionId), ReplyToSessionId);
        Append(text, nameof(ContentType), ContentType);
        foreach (var (key, value) in ApplicationProperties)
        {
            Append(text, key, value);
        }

        return text.ToString();
    }

    internal static CorrelationRuleFilter FromDescription(CorrelationFilterDescription? description)
    {
        var filter = new CorrelationRuleFilter();
        if (description is null)
        {
            return filter;
        }

        filter.CorrelationId = description.CorrelationId;
        filter.MessageId = description.MessageId;
        filter.To = description.To;
        filter.ReplyTo = description.ReplyTo;
        filter.Subject = description.Subject;
        filter.SessionId = description.SessionId;
        filter.ReplyToSessionId = description.ReplyToSessionId;
        filter.ContentType = description.ContentType;
        if (description.ApplicationProperties is { } properties)
        {
            foreach (var (key, value) in properties)
            {
                filter.ApplicationProperties[key] = value;
            }
        }

        return filter;
    }

    internal override FilterDescription ToDescription(string? entityPath)
    {
        var properties = PropertyValues.Copy(ApplicationProperties, entityPath);
        if (properties is null && CorrelationId is null && MessageId is null && To is null && ReplyTo is null
            && Subject is null && SessionId is null && ReplyToSessionId is null && ContentType is null)
        {
            throw Validation.Invalid("A correlation filter needs at least one property to match.", entityPath);
        }

        return new FilterDescription(FilterKind.Correlation, Correlation: new CorrelationFilterDescription
        {
            CorrelationId = CorrelationId,
            MessageId = MessageId,
            To = To,
            ReplyTo = ReplyTo,
            Subject = Subject,
            SessionId = SessionId,
            ReplyToSessionId = ReplyToSessionId,
            ContentType = ContentType,
            ApplicationProperties = properties,
        });
    }

    private static void Append(StringBuilder text, string name, object? value)
    {
        if (value is not null)
        {
            text.Append(' ').Append(name).Append('=').Append(value).Append(';');
        }
    }
}
