using System.CommandLine;
using System.Text.Json;
using Loire.Cli.Definitions;
using Loire.Cli.Infrastructure;

namespace Loire.Cli.Commands.Rules;

/// <summary>A rule's filter as flags: <c>--sql EXPR</c>, correlation fields (<c>--subject order.*</c>, <c>--property k=v</c>) or <c>--match-none</c>.</summary>
internal sealed class RuleFilterFlags
{
    private readonly Option<string?> _sql = new("--sql") { Description = "SQL filter, e.g. \"priority = 'high' AND amount > 100\"" };
    private readonly Option<string?> _correlationId = new("--correlation-id") { Description = "Correlation filter: CorrelationId" };
    private readonly Option<string?> _messageId = new("--message-id") { Description = "Correlation filter: MessageId" };
    private readonly Option<string?> _subject = new("--subject") { Description = "Correlation filter: Subject (routing keys such as order.* work)" };
    private readonly Option<string?> _to = new("--to") { Description = "Correlation filter: To" };
    private readonly Option<string?> _replyTo = new("--reply-to") { Description = "Correlation filter: ReplyTo" };
    private readonly Option<string?> _sessionId = new("--session-id") { Description = "Correlation filter: SessionId" };
    private readonly Option<string?> _contentType = new("--content-type") { Description = "Correlation filter: ContentType" };
    private readonly Option<string[]> _properties = new("--property", "-p") { Description = "Correlation filter: application property key=value (repeatable; key:int=5 for numbers)" };
    private readonly Option<bool> _matchNone = new("--match-none") { Description = "A filter that accepts no message" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _sql, _correlationId, _messageId, _subject, _to, _replyTo, _sessionId, _contentType, _properties, _matchNone })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The rule the flags describe, or null when none was given.</summary>
    public RuleDefinition? Rule(CommandRun run, string name)
    {
        var properties = PropertyArguments.Parse(run.Get(_properties));
        var correlation = new CorrelationDefinition
        {
            CorrelationId = run.Get(_correlationId),
            MessageId = run.Get(_messageId),
            Subject = run.Get(_subject),
            To = run.Get(_to),
            ReplyTo = run.Get(_replyTo),
            SessionId = run.Get(_sessionId),
            ContentType = run.Get(_contentType),
            Properties = properties.Count == 0 ? null : properties.ToDictionary(p => p.Key, p => JsonSerializer.SerializeToElement(p.Value, p.Value.GetType())),
        };
        var hasCorrelation = correlation is not { CorrelationId: null, MessageId: null, Subject: null, To: null, ReplyTo: null, SessionId: null, ContentType: null, Properties: null };
        var rule = new RuleDefinition
        {
            Name = name,
            Sql = run.Get(_sql),
            Correlation = hasCorrelation ? correlation : null,
            Filter = run.Get(_matchNone) ? "false" : null,
        };
        if (rule is { Sql: null, Correlation: null, Filter: null })
        {
            return null;
        }

        // Checks now that only one kind of filter was given, before anything reaches the broker.
        _ = rule.ToOptions();
        return rule;
    }
}
