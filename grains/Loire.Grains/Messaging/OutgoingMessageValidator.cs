using Loire.Client;
using Loire.Entities;
using Loire.Messages;

namespace Loire.Grains.Messaging;

/// <summary>Checks a send batch as a whole before anything is stored: one bad message refuses the batch.</summary>
internal static class OutgoingMessageValidator
{
    private const int MaxIdLength = 128;

    /// <summary>Validates every message and returns the batch's accounted size in bytes.</summary>
    public static long Validate(OutgoingMessage[] messages, EntityDescription entity, int brokerMaxMessageBytes)
    {
        var limit = Math.Min((long)entity.Options.MaxMessageSizeInKilobytes * 1024, brokerMaxMessageBytes);
        long total = 0;
        for (var i = 0; i < messages.Length; i++)
        {
            var message = messages[i] ?? throw Invalid(entity, $"Message {i} of the batch is null.");
            var size = message.EstimateSize();
            if (size > limit)
            {
                throw new LoireException(LoireErrorReason.MessageSizeExceeded,
                    $"Message {i} of the batch is {size} bytes; the limit is {limit} bytes.", entity.Path);
            }

            if (message.TimeToLive is { } ttl && ttl <= TimeSpan.Zero)
            {
                throw Invalid(entity, $"Message {i} has a non-positive TimeToLive ({ttl}).");
            }

            if (message.MessageId is { Length: > MaxIdLength })
            {
                throw Invalid(entity, $"Message {i} has a MessageId longer than {MaxIdLength} characters.");
            }

            if (message.SessionId is { Length: > MaxIdLength })
            {
                throw Invalid(entity, $"Message {i} has a SessionId longer than {MaxIdLength} characters.");
            }

            if (FindMalformedText(message) is { } field)
            {
                throw Invalid(entity, $"Message {i}: {field}.");
            }

            if (entity.Options.RequiresSession && entity.Kind != EntityKind.Topic && string.IsNullOrEmpty(message.SessionId))
            {
                throw Invalid(entity, $"Message {i} has no SessionId; '{entity.Path}' requires sessions, so every message must carry one.");
            }

            total += size;
        }

        return total;
    }

    /// <summary>When a message stops being deliverable: the earlier of its own and the entity's time to live.</summary>
    public static DateTimeOffset ComputeExpiry(OutgoingMessage message, EntityOptions options, DateTimeOffset enqueuedTime)
    {
        var ttl = options.DefaultMessageTimeToLive;
        if (message.TimeToLive is { } own && own < ttl)
        {
            ttl = own;
        }

        if (ttl == TimeSpan.MaxValue)
        {
            return DateTimeOffset.MaxValue;
        }

        var start = message.ScheduledEnqueueTime is { } scheduled && scheduled > enqueuedTime ? scheduled : enqueuedTime;
        return DateTimeOffset.MaxValue - start <= ttl ? DateTimeOffset.MaxValue : start + ttl;
    }

    /// <summary>
    /// What is wrong with a message's texts or property values, or null. The client checks the same, but a caller
    /// reaching the grain directly skips the client; what it sends must not be stored in another form than it was sent.
    /// </summary>
    private static string? FindMalformedText(OutgoingMessage message)
    {
        string?[] headers =
        [
            message.MessageId, message.ContentType, message.Subject, message.CorrelationId, message.ReplyTo,
            message.ReplyToSessionId, message.SessionId, message.PartitionKey, message.To,
        ];
        if (!headers.All(MessageValues.IsWellFormed))
        {
            return "a system property holds a lone UTF-16 surrogate; text must be well-formed Unicode";
        }

        foreach (var (key, value) in message.ApplicationProperties ?? [])
        {
            if (string.IsNullOrEmpty(key))
            {
                return "application property names must not be empty";
            }

            if (!MessageValues.IsSupportedPropertyValue(value))
            {
                return $"application property '{key}' has {(value is null ? "a null value" : "type " + value.GetType().FullName)}; " +
                    "supported types are string, bool, integral and floating-point numbers, decimal, char, Guid, DateTime, DateTimeOffset and TimeSpan";
            }

            if (!MessageValues.IsWellFormed(key) || !MessageValues.IsWellFormed(value as string ?? (value is char c ? c.ToString() : null)))
            {
                return $"application property '{key}' holds a lone UTF-16 surrogate; text must be well-formed Unicode";
            }
        }

        return null;
    }

    private static LoireException Invalid(EntityDescription entity, string message) =>
        new(LoireErrorReason.InvalidArgument, message, entity.Path);
}
