namespace Loire.Messages;

/// <summary>Where a message stands inside its entity.</summary>
[GenerateSerializer, Alias("loire.MessageState")]
public enum MessageState : byte
{
    /// <summary>Available to receivers (or locked by one).</summary>
    Active = 0,
    /// <summary>Set aside by a receiver; only receivable by sequence number.</summary>
    Deferred = 1,
    /// <summary>Invisible until its scheduled enqueue time.</summary>
    Scheduled = 2,
}

/// <summary>Which sub-queue of an entity an operation addresses.</summary>
[GenerateSerializer, Alias("loire.SubQueueKind")]
public enum SubQueueKind : byte
{
    /// <summary>The entity itself.</summary>
    None = 0,
    /// <summary>Its dead-letter queue.</summary>
    DeadLetter = 1,
}

/// <summary>Whether receiving locks a message or removes it at once.</summary>
[GenerateSerializer, Alias("loire.ReceiveModeKind")]
public enum ReceiveModeKind : byte
{
    /// <summary>Lock the message; the receiver settles it.</summary>
    PeekLock = 0,
    /// <summary>Remove the message as it is delivered (at most once).</summary>
    ReceiveAndDelete = 1,
}
