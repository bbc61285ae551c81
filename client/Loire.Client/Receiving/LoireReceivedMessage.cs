using System.Collections.ObjectModel;
using Loire.Messages;

namespace Loire.Client;

/// <summary>
/// A message as a receiver got it: the sender's properties plus what the broker set (sequence number, lock,
/// delivery count, dead-letter details). Read-only except <see cref="LockedUntil"/>, which lock renewal updates.
/// </summary>
public sealed class LoireReceivedMessage
{
    private static readonly IReadOnlyDictionary<string, object> NoProperties = ReadOnlyDictionary<string, object>.Empty;

    private readonly DeliveredMessage _delivered;

    /// <param name="delivered">What the broker returned.</param>
    /// <param name="sourceEntityPath">Path of the queue or subscription grain it came from (no dead-letter suffix).</param>
    /// <param name="isLocked">True when received in peek-lock mode, so it can be settled.</param>
    /// <param name="receivedAt">When the client got it, to judge how much of the lock is left.</param>
    internal LoireReceivedMessage(DeliveredMessage delivered, string sourceEntityPath, bool isLocked, DateTimeOffset receivedAt)
    {
        _delivered = delivered;
        SourceEntityPath = sourceEntityPath;
        IsLocked = isLocked;
        ReceivedAt = receivedAt;
        LockedUntil = delivered.LockedUntil;
        Body = new BinaryData(delivered.Stored.Message.Body);
        ApplicationProperties = delivered.Stored.Message.ApplicationProperties is { } properties
            ? new ReadOnlyDictionary<string, object>(properties)
            : NoProperties;
    }

    /// <summary>The payload.</summary>
    public BinaryData Body { get; }

    /// <summary>The sender's message id.</summary>
    public string? MessageId => Message.MessageId;

    /// <summary>MIME type of the body.</summary>
    public string? ContentType => Message.ContentType;

    /// <summary>Application-defined label.</summary>
    public string? Subject => Message.Subject;

    /// <summary>Correlates a reply with its request.</summary>
    public string? CorrelationId => Message.CorrelationId;

    /// <summary>Entity a reply should be sent to.</summary>
    public string? ReplyTo => Message.ReplyTo;

    /// <summary>Session a reply should be sent to.</summary>
    public string? ReplyToSessionId => Message.ReplyToSessionId;

    /// <summary>Session the message belongs to.</summary>
    public string? SessionId => Message.SessionId;

    /// <summary>Key that picked the partition.</summary>
    public string? PartitionKey => Message.PartitionKey;

    /// <summary>Application-defined destination address.</summary>
    public string? To => Message.To;

    /// <summary>
    /// The message's time to live: the sender's value, else the entity default it got (<see cref="ExpiresAt"/> minus
    /// the time it became visible); <see cref="TimeSpan.MaxValue"/> when it never expires.
    /// </summary>
    public TimeSpan TimeToLive => Message.TimeToLive
        ?? (ExpiresAt == DateTimeOffset.MaxValue ? TimeSpan.MaxValue : ExpiresAt - VisibleSince);

    /// <summary>When the message was scheduled to become visible; <see cref="DateTimeOffset.MinValue"/> when it was not scheduled.</summary>
    public DateTimeOffset ScheduledEnqueueTime => Message.ScheduledEnqueueTime ?? DateTimeOffset.MinValue;

    /// <summary>The sender's application properties (including <c>traceparent</c> when the send was traced).</summary>
    public IReadOnlyDictionary<string, object> ApplicationProperties { get; }

    /// <summary>Position of the message in its entity, assigned by the broker; increases with every message.</summary>
    public long SequenceNumber => _delivered.Stored.SequenceNumber;

    /// <summary>When the broker accepted the message.</summary>
    public DateTimeOffset EnqueuedTime => _delivered.Stored.EnqueuedTime;

    /// <summary>When the message expires; <see cref="DateTimeOffset.MaxValue"/> when never.</summary>
    public DateTimeOffset ExpiresAt => _delivered.Stored.ExpiresAt;

    /// <summary>How many times the message has been delivered, this delivery included.</summary>
    public int DeliveryCount => _delivered.DeliveryCount;

    /// <summary>
    /// The lock this delivery holds, as a GUID string (<c>"D"</c> format); all zeros for peeked messages and
    /// messages received in <see cref="LoireReceiveMode.ReceiveAndDelete"/> mode.
    /// </summary>
    public string LockToken => LockTokenGuid.ToString("D");

    /// <summary>When the lock expires unless renewed; updated by <see cref="LoireReceiver.RenewMessageLockAsync"/>.</summary>
    public DateTimeOffset LockedUntil { get; internal set; }

    /// <summary>Why the message was dead-lettered; null unless it was.</summary>
    public string? DeadLetterReason => _delivered.DeadLetterReason;

    /// <summary>Details of why the message was dead-lettered; null unless it was.</summary>
    public string? DeadLetterErrorDescription => _delivered.DeadLetterErrorDescription;

    /// <summary>Entity the message was dead-lettered in, when the broker records it (for example after forwarding); null otherwise.</summary>
    public string? DeadLetterSource => _delivered.DeadLetterSource;

    /// <summary>Whether the message is active, deferred or scheduled (peek shows all three).</summary>
    public LoireMessageState State => _delivered.State switch
    {
        MessageState.Deferred => LoireMessageState.Deferred,
        MessageState.Scheduled => LoireMessageState.Scheduled,
        _ => LoireMessageState.Active,
    };

    internal Guid LockTokenGuid => _delivered.LockToken;

    /// <summary>Path of the queue or subscription that delivered the message (without a dead-letter suffix).</summary>
    internal string SourceEntityPath { get; }

    /// <summary>True when it was received in peek-lock mode and so holds a lock that can be settled.</summary>
    internal bool IsLocked { get; }

    internal DateTimeOffset ReceivedAt { get; }

    /// <summary>The TTL the sender set, or null when it used the entity's default.</summary>
    internal TimeSpan? OriginalTimeToLive => Message.TimeToLive;

    private OutgoingMessage Message => _delivered.Stored.Message;

    private DateTimeOffset VisibleSince =>
        Message.ScheduledEnqueueTime is { } scheduled && scheduled > EnqueuedTime ? scheduled : EnqueuedTime;

    /// <inheritdoc />
    public override string ToString() => $"{{MessageId:{MessageId}, SequenceNumber:{SequenceNumber}}}";
}
