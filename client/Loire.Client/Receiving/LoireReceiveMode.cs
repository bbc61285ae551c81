namespace Loire.Client;

/// <summary>Whether receiving locks a message (to be settled) or removes it at once.</summary>
public enum LoireReceiveMode
{
    /// <summary>
    /// The message is locked for the entity's lock duration; the receiver completes, abandons, dead-letters or
    /// defers it. If the lock expires first, the message is delivered again (at-least-once).
    /// </summary>
    PeekLock = 0,

    /// <summary>The message is removed as it is delivered (at-most-once); it cannot be settled.</summary>
    ReceiveAndDelete = 1,
}
