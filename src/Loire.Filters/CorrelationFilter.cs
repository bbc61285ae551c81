using Loire.Filters.Values;

namespace Loire.Filters;

/// <summary>
/// Matches messages whose properties equal the given values. Every non-null field must match, and every application
/// property must exist with an equal value (numbers by value across int/long/double, strings ordinally).
/// A filter with no criteria at all matches every message.
/// </summary>
/// <remarks>
/// Fields are looked up as system properties named <c>CorrelationId</c>, <c>MessageId</c>, <c>To</c>, <c>ReplyTo</c>,
/// <c>Subject</c>, <c>SessionId</c>, <c>ReplyToSessionId</c> and <c>ContentType</c>. A <see cref="Subject"/> containing
/// a <c>*</c> or <c>#</c> word is a <see cref="RoutingPattern"/>; otherwise it must equal the subject exactly.
/// </remarks>
public sealed class CorrelationFilter : MessageFilter
{
    private const string SubjectProperty = "Subject";

    private static readonly IReadOnlyDictionary<string, object> NoProperties = new Dictionary<string, object>();

    private readonly CorrelationCriterion[] _systemCriteria;
    private readonly CorrelationCriterion[] _applicationCriteria;
    private readonly string? _subjectPattern;

    /// <summary>Creates the filter; a null argument places no requirement on that property.</summary>
    /// <param name="correlationId">Required <c>CorrelationId</c>, or null.</param>
    /// <param name="messageId">Required <c>MessageId</c>, or null.</param>
    /// <param name="to">Required <c>To</c>, or null.</param>
    /// <param name="replyTo">Required <c>ReplyTo</c>, or null.</param>
    /// <param name="subject">Required <c>Subject</c> or routing pattern, or null.</param>
    /// <param name="sessionId">Required <c>SessionId</c>, or null.</param>
    /// <param name="replyToSessionId">Required <c>ReplyToSessionId</c>, or null.</param>
    /// <param name="contentType">Required <c>ContentType</c>, or null.</param>
    /// <param name="applicationProperties">Application properties that must all exist with equal values, or null. The filter keeps a copy.</param>
    public CorrelationFilter(
        string? correlationId,
        string? messageId,
        string? to,
        string? replyTo,
        string? subject,
        string? sessionId,
        string? replyToSessionId,
        string? contentType,
        IReadOnlyDictionary<string, object>? applicationProperties)
    {
        CorrelationId = correlationId;
        MessageId = messageId;
        To = to;
        ReplyTo = replyTo;
        Subject = subject;
        SessionId = sessionId;
        ReplyToSessionId = replyToSessionId;
        ContentType = contentType;

        var system = new List<CorrelationCriterion>();
        AddIfSet(system, "CorrelationId", correlationId);
        AddIfSet(system, "MessageId", messageId);
        AddIfSet(system, "To", to);
        AddIfSet(system, "ReplyTo", replyTo);
        AddIfSet(system, "SessionId", sessionId);
        AddIfSet(system, "ReplyToSessionId", replyToSessionId);
        AddIfSet(system, "ContentType", contentType);
        if (subject is not null && RoutingPattern.IsPattern(subject))
        {
            _subjectPattern = subject;
        }
        else
        {
            AddIfSet(system, SubjectProperty, subject);
        }

        _systemCriteria = system.ToArray();

        if (applicationProperties is null || applicationProperties.Count == 0)
        {
            ApplicationProperties = NoProperties;
            _applicationCriteria = [];
        }
        else
        {
            var copy = new Dictionary<string, object>(applicationProperties.Count, StringComparer.Ordinal);
            var criteria = new CorrelationCriterion[applicationProperties.Count];
            var i = 0;
            foreach (var (name, value) in applicationProperties)
            {
                copy[name] = value;
                criteria[i++] = new CorrelationCriterion(name, SqlValue.FromObject(value));
            }

            ApplicationProperties = copy;
            _applicationCriteria = criteria;
        }
    }

    /// <summary>Required correlation id, or null.</summary>
    public string? CorrelationId { get; }

    /// <summary>Required message id, or null.</summary>
    public string? MessageId { get; }

    /// <summary>Required "to" address, or null.</summary>
    public string? To { get; }

    /// <summary>Required reply-to address, or null.</summary>
    public string? ReplyTo { get; }

    /// <summary>Required subject or subject routing pattern, or null.</summary>
    public string? Subject { get; }

    /// <summary>Required session id, or null.</summary>
    public string? SessionId { get; }

    /// <summary>Required reply-to session id, or null.</summary>
    public string? ReplyToSessionId { get; }

    /// <summary>Required content type, or null.</summary>
    public string? ContentType { get; }

    /// <summary>Required application properties; empty when none.</summary>
    public IReadOnlyDictionary<string, object> ApplicationProperties { get; }

    /// <inheritdoc />
    public override bool Matches(IFilterMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        foreach (var criterion in _systemCriteria)
        {
            if (!message.TryGetSystemProperty(criterion.Name, out var actual) || !criterion.IsSatisfiedBy(actual))
            {
                return false;
            }
        }

        if (_subjectPattern is not null
            && !(message.TryGetSystemProperty(SubjectProperty, out var subject) && RoutingPattern.IsMatch(_subjectPattern, subject as string)))
        {
            return false;
        }

        foreach (var criterion in _applicationCriteria)
        {
            if (!message.TryGetApplicationProperty(criterion.Name, out var actual) || !criterion.IsSatisfiedBy(actual))
            {
                return false;
            }
        }

        return true;
    }

    private static void AddIfSet(List<CorrelationCriterion> criteria, string name, string? expected)
    {
        if (expected is not null)
        {
            criteria.Add(new CorrelationCriterion(name, SqlValue.FromString(expected)));
        }
    }
}
