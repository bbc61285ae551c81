using System.CommandLine;
using Loire.Cli.Infrastructure;
using Loire.Client;

namespace Loire.Cli.Commands.Messages;

/// <summary>The system and application properties <c>loire send</c> puts on every message.</summary>
internal sealed class MessageFlags
{
    private readonly Option<string?> _messageId = new("--message-id") { Description = "MessageId; with several messages, '-1', '-2', ... is appended" };
    private readonly Option<string?> _subject = new("--subject") { Description = "Subject" };
    private readonly Option<string?> _contentType = new("--content-type") { Description = "ContentType, e.g. application/json" };
    private readonly Option<string?> _correlationId = new("--correlation-id") { Description = "CorrelationId" };
    private readonly Option<string?> _sessionId = new("--session-id") { Description = "SessionId (required by session entities)" };
    private readonly Option<string?> _partitionKey = new("--partition-key") { Description = "PartitionKey" };
    private readonly Option<string?> _replyTo = new("--reply-to") { Description = "ReplyTo" };
    private readonly Option<string?> _ttl = new("--ttl") { Description = "Time to live (30s, 1h)" };
    private readonly Option<string[]> _properties = new("--property", "-p") { Description = "Application property key=value (repeatable; key:int=5, key:double=1.5, key:bool=true)" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _messageId, _subject, _contentType, _correlationId, _sessionId, _partitionKey, _replyTo, _ttl, _properties })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>Builds a function that turns a body and its index (0-based, of <paramref name="total"/>) into a message.</summary>
    public Func<ReadOnlyMemory<byte>, int, LoireMessage> Factory(CommandRun run, int total)
    {
        var properties = PropertyArguments.Parse(run.Get(_properties));
        var ttl = run.Get(_ttl) is { } text ? Duration.Parse(text, _ttl.Name) : (TimeSpan?)null;
        var messageId = run.Get(_messageId);
        return (body, index) =>
        {
            var message = new LoireMessage(body)
            {
                MessageId = messageId is null ? null : total == 1 ? messageId : $"{messageId}-{index + 1}",
                Subject = run.Get(_subject),
                ContentType = run.Get(_contentType),
                CorrelationId = run.Get(_correlationId),
                SessionId = run.Get(_sessionId),
                PartitionKey = run.Get(_partitionKey),
                ReplyTo = run.Get(_replyTo),
            };
            if (ttl is { } timeToLive)
            {
                message.TimeToLive = timeToLive;
            }

            foreach (var (key, value) in properties)
            {
                message.ApplicationProperties[key] = value;
            }

            return message;
        };
    }
}
