using Loire.Messages;

namespace Loire.Grains.Queues;

/// <summary>One message held by a queue grain: the immutable stored message plus its mutable delivery state.</summary>
internal sealed class MessageEntry(StoredMessage stored, long size)
{
    public StoredMessage Stored { get; } = stored;

    public long SequenceNumber => Stored.SequenceNumber;

    public long Size { get; } = size;

    public MessageState State { get; set; }

    public SubQueueKind SubQueue { get; set; }

    public int DeliveryCount { get; set; }

    public string? DeadLetterReason { get; set; }

    public string? DeadLetterErrorDescription { get; set; }

    public string? DeadLetterSource { get; set; }

    public Guid LockToken { get; set; }

    public DateTimeOffset LockedUntil { get; set; }

    /// <summary>True while a settlement or delete of this entry is being written; timers and receivers leave it alone.</summary>
    public bool IsSettling { get; set; }

    /// <summary>True once the entry left the index (completed, deleted, expired).</summary>
    public bool IsRemoved { get; set; }

    /// <summary>True while the entry sits in its sub-queue's available heap (lazy deletion marker).</summary>
    public bool IsAvailable { get; set; }

    /// <summary>
    /// Set while the send that put this entry in the index early (EnableEarlyDelivery) is still being committed.
    /// Completes, never faulted, once the grain applied the outcome: when the commit failed the entry is removed by then.
    /// </summary>
    public Task? PendingCommit { get; set; }

    public bool IsLocked => LockToken != Guid.Empty;

    public DeliveredMessage ToDelivered() => new(
        Stored, DeliveryCount, LockToken, LockedUntil, State, DeadLetterReason, DeadLetterErrorDescription, DeadLetterSource);
}
