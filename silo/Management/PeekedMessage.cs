using Loire.Messages;

namespace Loire.Silo.Management;

/// <summary>A message as peek shows it: every system and application property, and a preview of its body.</summary>
public sealed record PeekedMessage
{
    public required long SequenceNumber { get; init; }
    public required ManagedSubQueue SubQueue { get; init; }
    public required string State { get; init; }
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
    public required DateTimeOffset EnqueuedTime { get; init; }

    /// <summary>Null when the message never expires.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    public required int DeliveryCount { get; init; }

    /// <summary>Until when a receiver holds its lock; null when no lock is held.</summary>
    public DateTimeOffset? LockedUntil { get; init; }

    public string? DeadLetterReason { get; init; }
    public string? DeadLetterErrorDescription { get; init; }
    public string? DeadLetterSource { get; init; }

    /// <summary>Values as JSON has them: Guid, DateTimeOffset and TimeSpan values appear as strings.</summary>
    public required IReadOnlyDictionary<string, object> ApplicationProperties { get; init; }

    public required BodyPreview Body { get; init; }

    public static PeekedMessage From(DeliveredMessage delivered, ManagedSubQueue subQueue, int previewBytes, DateTimeOffset now)
    {
        var stored = delivered.Stored;
        var m = stored.Message;
        return new PeekedMessage
        {
            SequenceNumber = stored.SequenceNumber,
            SubQueue = subQueue,
            State = delivered.State.ToString().ToLowerInvariant(),
            MessageId = m.MessageId,
            ContentType = m.ContentType,
            Subject = m.Subject,
            CorrelationId = m.CorrelationId,
            ReplyTo = m.ReplyTo,
            ReplyToSessionId = m.ReplyToSessionId,
            SessionId = m.SessionId,
            PartitionKey = m.PartitionKey,
            To = m.To,
            TimeToLive = m.TimeToLive,
            ScheduledEnqueueTime = m.ScheduledEnqueueTime,
            EnqueuedTime = stored.EnqueuedTime,
            ExpiresAt = stored.ExpiresAt == DateTimeOffset.MaxValue ? null : stored.ExpiresAt,
            DeliveryCount = delivered.DeliveryCount,
            LockedUntil = delivered.LockedUntil > now ? delivered.LockedUntil : null,
            DeadLetterReason = delivered.DeadLetterReason,
            DeadLetterErrorDescription = delivered.DeadLetterErrorDescription,
            DeadLetterSource = delivered.DeadLetterSource,
            ApplicationProperties = m.ApplicationProperties ?? [],
            Body = BodyPreview.Of(m.Body, previewBytes),
        };
    }
}

/// <summary>One page of peeked messages; <see cref="NextSequenceNumber"/> is where the next page starts (null when this one is empty).</summary>
public sealed record PeekResponse(IReadOnlyList<PeekedMessage> Messages, long? NextSequenceNumber);
