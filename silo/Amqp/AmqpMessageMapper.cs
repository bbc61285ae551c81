using System.Text;
using Amqp;
using Amqp.Framing;
using Amqp.Types;
using Loire.Client;
using ErrorCode = Amqp.ErrorCode;

namespace Loire.Silo.Amqp;

/// <summary>
/// Maps AMQP 1.0 messages to Loire's and back, as Service Bus does: properties section to system properties,
/// application-properties both ways, the body as one data section, broker state as <c>x-opt-</c> message annotations.
/// </summary>
internal static class AmqpMessageMapper
{
    public static readonly Symbol ScheduledEnqueueTime = new("x-opt-scheduled-enqueue-time");
    public static readonly Symbol SequenceNumber = new("x-opt-sequence-number");
    public static readonly Symbol EnqueuedTime = new("x-opt-enqueued-time");
    public static readonly Symbol LockedUntil = new("x-opt-locked-until");
    public static readonly Symbol PartitionKey = new("x-opt-partition-key");
    public static readonly Symbol DeadLetterSource = new("x-opt-deadletter-source");

    /// <summary>Service Bus's descriptor for a TimeSpan property value (ticks).</summary>
    public static readonly Symbol TimeSpanDescriptor = new("com.microsoft:timespan");

    /// <summary>Application properties a dead-lettered message carries, as Service Bus names them.</summary>
    public const string DeadLetterReasonProperty = "DeadLetterReason";
    public const string DeadLetterErrorDescriptionProperty = "DeadLetterErrorDescription";

    /// <summary>The Loire message an AMQP client sent; an <see cref="AmqpException"/> for a body Loire cannot hold.</summary>
    public static LoireMessage ToLoire(Message message)
    {
        var loire = new LoireMessage(Body(message));
        if (message.Properties is { } properties)
        {
            loire.MessageId = Identifier(properties.GetMessageId());
            loire.CorrelationId = Identifier(properties.GetCorrelationId());
            loire.Subject = properties.Subject;
            loire.ContentType = properties.ContentType;
            loire.To = properties.To;
            loire.ReplyTo = properties.ReplyTo;
            loire.ReplyToSessionId = properties.ReplyToGroupId;
            loire.SessionId = properties.GroupId;
        }

        if (TimeToLive(message) is { } timeToLive)
        {
            loire.TimeToLive = timeToLive;
        }

        if (message.MessageAnnotations is { } annotations)
        {
            if (annotations[ScheduledEnqueueTime] is DateTime scheduled)
            {
                loire.ScheduledEnqueueTime = new DateTimeOffset(DateTime.SpecifyKind(scheduled, DateTimeKind.Utc));
            }

            if (annotations[PartitionKey] is string partitionKey)
            {
                loire.PartitionKey = partitionKey;
            }
        }

        if (message.ApplicationProperties is { } applicationProperties)
        {
            foreach (var (key, value) in applicationProperties.Map)
            {
                // Values Loire cannot hold (null, lists, maps, binary) are passed on for the sender's validation to refuse.
                loire.ApplicationProperties[key as string ?? key?.ToString() ?? ""] = FromAmqpValue(value)!;
            }
        }

        return loire;
    }

    /// <summary>The AMQP message a client receives; <paramref name="locked"/> adds the lock's expiry.</summary>
    public static Message ToAmqp(LoireReceivedMessage received, bool locked)
    {
        var message = new Message
        {
            BodySection = new Data { Binary = received.Body.ToArray() },
            Header = new Header { Durable = true, DeliveryCount = (uint)Math.Max(0, received.DeliveryCount - 1) },
        };
        if (received.TimeToLive != TimeSpan.MaxValue && received.TimeToLive.TotalMilliseconds is > 0 and < uint.MaxValue)
        {
            message.Header.Ttl = (uint)received.TimeToLive.TotalMilliseconds;
        }

        // What Loire does not have travels as null, which AMQP reads as absent.
        var properties = new Properties
        {
            MessageId = received.MessageId,
            CorrelationId = received.CorrelationId,
            Subject = received.Subject,
            ContentType = received.ContentType,
            To = received.To,
            ReplyTo = received.ReplyTo,
            ReplyToGroupId = received.ReplyToSessionId,
            GroupId = received.SessionId,
            CreationTime = received.EnqueuedTime.UtcDateTime,
        };
        if (received.ExpiresAt != DateTimeOffset.MaxValue)
        {
            properties.AbsoluteExpiryTime = received.ExpiresAt.UtcDateTime;
        }

        message.Properties = properties;
        message.MessageAnnotations = Annotations(received, locked);

        var applicationProperties = new ApplicationProperties();
        foreach (var (key, value) in received.ApplicationProperties)
        {
            applicationProperties[key] = ToAmqpValue(value);
        }

        if (received.DeadLetterReason is { } reason)
        {
            applicationProperties[DeadLetterReasonProperty] = reason;
        }

        if (received.DeadLetterErrorDescription is { } description)
        {
            applicationProperties[DeadLetterErrorDescriptionProperty] = description;
        }

        message.ApplicationProperties = applicationProperties;
        return message;
    }

    private static MessageAnnotations Annotations(LoireReceivedMessage received, bool locked)
    {
        var annotations = new MessageAnnotations
        {
            [SequenceNumber] = received.SequenceNumber,
            [EnqueuedTime] = received.EnqueuedTime.UtcDateTime,
        };
        if (locked)
        {
            annotations[LockedUntil] = received.LockedUntil.UtcDateTime;
        }

        if (received.PartitionKey is { } partitionKey)
        {
            annotations[PartitionKey] = partitionKey;
        }

        if (received.ScheduledEnqueueTime != DateTimeOffset.MinValue)
        {
            annotations[ScheduledEnqueueTime] = received.ScheduledEnqueueTime.UtcDateTime;
        }

        if (received.DeadLetterSource is { } source)
        {
            annotations[DeadLetterSource] = source;
        }

        return annotations;
    }

    /// <summary>
    /// Data sections are the body bytes (several are joined); an amqp-value string is its UTF-8 bytes, a binary value
    /// its bytes. Other amqp-value types and amqp-sequence bodies have no Loire form and are refused.
    /// </summary>
    private static byte[] Body(Message message) => message.BodySection switch
    {
        null => [],
        Data data => data.Binary ?? [],
        DataList list => [.. Enumerable.Range(0, list.Count).SelectMany(i => list[i].Binary ?? [])],
        AmqpValue { Value: null } => [],
        AmqpValue { Value: string text } => Encoding.UTF8.GetBytes(text),
        AmqpValue { Value: byte[] bytes } => bytes,
        AmqpValue value => throw new AmqpException(ErrorCode.NotImplemented,
            $"An amqp-value body of type {value.Value.GetType().Name} is not supported: send data sections, a string or binary."),
        _ => throw new AmqpException(ErrorCode.NotImplemented, "An amqp-sequence body is not supported: send data sections, a string or binary."),
    };

    /// <summary>The header's ttl (milliseconds) or, without one, the absolute expiry time less the creation time (or now).</summary>
    private static TimeSpan? TimeToLive(Message message)
    {
        if (message.Header is { Ttl: > 0 } header)
        {
            return TimeSpan.FromMilliseconds(header.Ttl);
        }

        if (message.Properties is { } properties && properties.AbsoluteExpiryTime > DateTime.MinValue)
        {
            var from = properties.CreationTime > DateTime.MinValue ? properties.CreationTime : DateTime.UtcNow;
            var ttl = properties.AbsoluteExpiryTime - from;
            return ttl > TimeSpan.Zero ? ttl : TimeSpan.FromMilliseconds(1);
        }

        return null;
    }

    /// <summary>Message and correlation ids may be strings, uuids, ulongs or binary in AMQP; Loire keeps strings.</summary>
    private static string? Identifier(object? id) => id switch
    {
        null => null,
        string text => text,
        Guid guid => guid.ToString("D"),
        byte[] bytes => Convert.ToHexString(bytes).ToLowerInvariant(),
        _ => Convert.ToString(id, System.Globalization.CultureInfo.InvariantCulture),
    };

    private static object? FromAmqpValue(object? value) => value switch
    {
        Symbol symbol => (string)symbol,
        DescribedValue { Value: long ticks } described when TimeSpanDescriptor.Equals(described.Descriptor) => TimeSpan.FromTicks(ticks),
        DateTime time => DateTime.SpecifyKind(time, DateTimeKind.Utc),
        _ => value,
    };

    private static object ToAmqpValue(object value) => value switch
    {
        DateTimeOffset time => time.UtcDateTime,
        TimeSpan span => new DescribedValue(TimeSpanDescriptor, span.Ticks),
        _ => value,
    };
}
