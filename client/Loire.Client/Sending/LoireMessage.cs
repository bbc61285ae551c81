using System.Runtime.InteropServices;
using Loire.Client.Diagnostics;
using Loire.Client.Internal;
using Loire.Messages;

namespace Loire.Client;

/// <summary>A message to send. Mutable: set its properties, then pass it to a <see cref="LoireSender"/>.</summary>
public partial class LoireMessage
{
    /// <summary>Longest <see cref="MessageId"/> and <see cref="SessionId"/> the broker accepts.</summary>
    public const int MaxIdLength = 128;

    private BinaryData _body;

    /// <summary>Creates a message with an empty body.</summary>
    public LoireMessage()
        : this(BinaryData.Empty)
    {
    }

    /// <summary>Creates a message with <paramref name="body"/> as its body.</summary>
    /// <param name="body">The payload.</param>
    public LoireMessage(BinaryData body)
    {
        ArgumentNullException.ThrowIfNull(body);
        _body = body;
    }

    /// <summary>Creates a message with <paramref name="body"/> as its body (not copied until sent).</summary>
    /// <param name="body">The payload.</param>
    public LoireMessage(ReadOnlyMemory<byte> body)
        : this(new BinaryData(body))
    {
    }

    /// <summary>Creates a message whose body is <paramref name="body"/> encoded as UTF-8.</summary>
    /// <param name="body">The payload text.</param>
    public LoireMessage(string body)
        : this(BinaryData.FromString(body ?? throw new ArgumentNullException(nameof(body))))
    {
    }

    /// <summary>Creates a message with <paramref name="body"/> as its body (not copied until sent).</summary>
    /// <param name="body">The payload.</param>
    public LoireMessage(byte[] body)
        : this(new BinaryData(body ?? throw new ArgumentNullException(nameof(body))))
    {
    }

    /// <summary>
    /// Creates a message that copies the body and the sender-set properties of a received message (not the
    /// broker-set ones such as its sequence number), for example to resubmit a dead-lettered message.
    /// </summary>
    /// <param name="receivedMessage">The message to copy.</param>
    public LoireMessage(LoireReceivedMessage receivedMessage)
    {
        ArgumentNullException.ThrowIfNull(receivedMessage);
        _body = receivedMessage.Body;
        MessageId = receivedMessage.MessageId;
        ContentType = receivedMessage.ContentType;
        Subject = receivedMessage.Subject;
        CorrelationId = receivedMessage.CorrelationId;
        ReplyTo = receivedMessage.ReplyTo;
        ReplyToSessionId = receivedMessage.ReplyToSessionId;
        SessionId = receivedMessage.SessionId;
        PartitionKey = receivedMessage.PartitionKey;
        To = receivedMessage.To;
        TimeToLive = receivedMessage.OriginalTimeToLive ?? TimeSpan.MaxValue;
        foreach (var (key, value) in receivedMessage.ApplicationProperties)
        {
            ApplicationProperties[key] = value;
        }
    }

    /// <summary>The payload.</summary>
    public BinaryData Body
    {
        get => _body;
        set => _body = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>
    /// Identifies the message for duplicate detection (at most <see cref="MaxIdLength"/> characters). When null, the sender assigns a new GUID (<c>"N"</c> format)
    /// and writes it here, so sending the same object again is recognised as a duplicate.
    /// </summary>
    public string? MessageId { get; set; }

    /// <summary>MIME type of the body, e.g. <c>application/json</c>.</summary>
    public string? ContentType { get; set; }

    /// <summary>Application-defined label; topic rules can route on it (<c>order.*</c>).</summary>
    public string? Subject { get; set; }

    /// <summary>Correlates a reply with its request.</summary>
    public string? CorrelationId { get; set; }

    /// <summary>Entity a reply should be sent to.</summary>
    public string? ReplyTo { get; set; }

    /// <summary>Session a reply should be sent to.</summary>
    public string? ReplyToSessionId { get; set; }

    /// <summary>Session the message belongs to (at most <see cref="MaxIdLength"/> characters); messages of a session are delivered in order.</summary>
    public string? SessionId { get; set; }

    /// <summary>Key that picks the partition of a partitioned entity.</summary>
    public string? PartitionKey { get; set; }

    /// <summary>Application-defined destination address.</summary>
    public string? To { get; set; }

    /// <summary>
    /// How long the message lives after it is enqueued. <see cref="TimeSpan.MaxValue"/> (the default) means "the
    /// entity's <c>DefaultMessageTimeToLive</c>". Must be positive.
    /// </summary>
    public TimeSpan TimeToLive { get; set; } = TimeSpan.MaxValue;

    /// <summary>
    /// When the message becomes visible to receivers; <see cref="DateTimeOffset.MinValue"/> (the default) means
    /// at once. <see cref="LoireSender.ScheduleMessageAsync"/> sets it.
    /// </summary>
    public DateTimeOffset ScheduledEnqueueTime { get; set; } = DateTimeOffset.MinValue;

    /// <summary>
    /// Application properties. Values may be string, bool, any integral or floating-point number, decimal, char,
    /// Guid, DateTime, DateTimeOffset, TimeSpan or Uri (sent as its string); anything else, or null, fails the send
    /// with <see cref="LoireErrorReason.InvalidArgument"/>. The sender adds <c>traceparent</c> when tracing.
    /// </summary>
    public IDictionary<string, object> ApplicationProperties { get; } = new Dictionary<string, object>(StringComparer.Ordinal);

    /// <inheritdoc />
    public override string ToString() => $"{{MessageId:{MessageId}}}";

    /// <summary>
    /// The wire form of this message: validated, with a MessageId assigned (and written back here) and the trace
    /// context added to the properties (the copy only; this message's properties are left alone).
    /// </summary>
    private string? FindMalformedText() =>
        !MessageValues.IsWellFormed(MessageId) ? nameof(MessageId)
        : !MessageValues.IsWellFormed(ContentType) ? nameof(ContentType)
        : !MessageValues.IsWellFormed(Subject) ? nameof(Subject)
        : !MessageValues.IsWellFormed(CorrelationId) ? nameof(CorrelationId)
        : !MessageValues.IsWellFormed(ReplyTo) ? nameof(ReplyTo)
        : !MessageValues.IsWellFormed(ReplyToSessionId) ? nameof(ReplyToSessionId)
        : !MessageValues.IsWellFormed(SessionId) ? nameof(SessionId)
        : !MessageValues.IsWellFormed(PartitionKey) ? nameof(PartitionKey)
        : !MessageValues.IsWellFormed(To) ? nameof(To)
        : null;

    // shareBody: the call that carries the message serializes it before the send completes, so a body that is one
    // whole array goes as it is (copied on the wire) instead of being copied here first.
    internal OutgoingMessage ToOutgoing(string entityPath, string? traceParent, string? traceState, bool shareBody)
    {
        if (TimeToLive <= TimeSpan.Zero)
        {
            throw Validation.Invalid($"TimeToLive must be positive; it is {TimeToLive}.", entityPath);
        }

        if (MessageId is { Length: > MaxIdLength })
        {
            throw Validation.Invalid($"MessageId must be at most {MaxIdLength} characters; it has {MessageId.Length}.", entityPath);
        }

        if (SessionId is { Length: > MaxIdLength })
        {
            throw Validation.Invalid($"SessionId must be at most {MaxIdLength} characters; it has {SessionId.Length}.", entityPath);
        }

        if (FindMalformedText() is { } field)
        {
            // The wire carries text as UTF-8, which has no form for a lone surrogate: it would arrive as U+FFFD.
            throw Validation.Invalid($"{field} holds a lone UTF-16 surrogate; text must be well-formed Unicode.", entityPath);
        }

        var properties = PropertyValues.Copy(ApplicationProperties, entityPath);
        if (traceParent is not null)
        {
            properties ??= new Dictionary<string, object>(StringComparer.Ordinal);
            // A traceparent the application set stays, with its tracestate. A tracestate set alone describes no
            // context of ours, so it is replaced (or dropped) along with the traceparent added.
            if (properties.TryAdd(LoireTelemetry.TraceParentProperty, traceParent))
            {
                if (string.IsNullOrEmpty(traceState))
                {
                    properties.Remove(LoireTelemetry.TraceStateProperty);
                }
                else
                {
                    properties[LoireTelemetry.TraceStateProperty] = traceState;
                }
            }
        }

        MessageId ??= Guid.NewGuid().ToString("N");
        return new OutgoingMessage
        {
            Body = shareBody && MemoryMarshal.TryGetArray(_body.ToMemory(), out var whole) && whole.Offset == 0 && whole.Count == whole.Array!.Length
                ? whole.Array
                : _body.ToArray(),
            MessageId = MessageId,
            ContentType = ContentType,
            Subject = Subject,
            CorrelationId = CorrelationId,
            ReplyTo = ReplyTo,
            ReplyToSessionId = ReplyToSessionId,
            SessionId = SessionId,
            PartitionKey = PartitionKey,
            To = To,
            TimeToLive = TimeToLive == TimeSpan.MaxValue ? null : TimeToLive,
            ScheduledEnqueueTime = ScheduledEnqueueTime == DateTimeOffset.MinValue ? null : ScheduledEnqueueTime,
            ApplicationProperties = properties,
        };
    }
}
