using Loire.Filters;
using Loire.Messages;

namespace Loire.Grains.Topics;

/// <summary>Shows a message being published to the filter language: system properties by name, application properties as sent.</summary>
internal sealed class FilterableMessage(OutgoingMessage message, long sequenceNumber, DateTimeOffset enqueuedTime) : IFilterMessage
{
    public bool TryGetSystemProperty(string name, out object? value)
    {
        value = name.ToLowerInvariant() switch
        {
            "messageid" => message.MessageId,
            "correlationid" => message.CorrelationId,
            "subject" or "label" => message.Subject,
            "contenttype" => message.ContentType,
            "to" => message.To,
            "replyto" => message.ReplyTo,
            "replytosessionid" => message.ReplyToSessionId,
            "sessionid" => message.SessionId,
            "partitionkey" => message.PartitionKey,
            "sequencenumber" => sequenceNumber,
            "enqueuedtimeutc" => enqueuedTime,
            "scheduledenqueuetimeutc" => message.ScheduledEnqueueTime,
            "timetolive" => message.TimeToLive,
            "size" => (long)message.Body.Length,
            _ => null,
        };
        return value is not null;
    }

    public bool TryGetApplicationProperty(string name, out object? value)
    {
        value = null;
        return message.ApplicationProperties is { } properties && properties.TryGetValue(name, out value);
    }
}
