using System.Text;
using System.Text.Json;
using Loire.Messages;

namespace Loire.Silo.Management;

/// <summary>
/// A message sent over HTTP, for producers without the .NET client. <see cref="Body"/> is text (sent as its UTF-8
/// bytes) or, with <c>"bodyEncoding":"base64"</c>, the body in base64. Without a MessageId the broker's API assigns
/// a random one, as the .NET client does.
/// </summary>
public sealed record SendMessageRequest
{
    public string? Body { get; init; }
    public BodyEncoding BodyEncoding { get; init; } = BodyEncoding.Text;
    public string? MessageId { get; init; }
    public string? ContentType { get; init; }
    public string? Subject { get; init; }
    public string? CorrelationId { get; init; }
    public string? ReplyTo { get; init; }
    public string? ReplyToSessionId { get; init; }
    public string? SessionId { get; init; }
    public string? PartitionKey { get; init; }
    public string? To { get; init; }
    public TimeSpan? TimeToLive { get; init; }
    public DateTimeOffset? ScheduledEnqueueTime { get; init; }
    public Dictionary<string, JsonElement>? ApplicationProperties { get; init; }

    /// <summary>The message the grain validates (size, ids, time to live) as it would one from the .NET client.</summary>
    public OutgoingMessage ToOutgoing(string entityPath) => new()
    {
        Body = DecodeBody(entityPath),
        MessageId = MessageId ?? Guid.NewGuid().ToString("N"),
        ContentType = ContentType,
        Subject = Subject,
        CorrelationId = CorrelationId,
        ReplyTo = ReplyTo,
        ReplyToSessionId = ReplyToSessionId,
        SessionId = SessionId,
        PartitionKey = PartitionKey,
        To = To,
        TimeToLive = TimeToLive,
        ScheduledEnqueueTime = ScheduledEnqueueTime,
        ApplicationProperties = JsonPropertyValues.ToObjects(ApplicationProperties, "Application property", entityPath),
    };

    private byte[] DecodeBody(string entityPath)
    {
        if (Body is null)
        {
            return [];
        }

        if (BodyEncoding == BodyEncoding.Text)
        {
            return Encoding.UTF8.GetBytes(Body);
        }

        try
        {
            return Convert.FromBase64String(Body);
        }
        catch (FormatException)
        {
            throw ManagementProblem.Invalid("'body' is not valid base64 (bodyEncoding is base64).", entityPath);
        }
    }
}
