namespace Loire.Client;

/// <summary>What a <see cref="LoireProcessor"/> was doing when the error reported to <see cref="LoireProcessor.ProcessErrorAsync"/> happened.</summary>
public enum LoireErrorSource
{
    /// <summary>Something else.</summary>
    Unknown = 0,

    /// <summary>Receiving messages from the broker; the processor backs off and tries again.</summary>
    Receive = 1,

    /// <summary>The message handler threw; the message is abandoned unless the handler settled it.</summary>
    ProcessMessageCallback = 2,

    /// <summary>Completing a message automatically after its handler returned.</summary>
    Complete = 3,

    /// <summary>Abandoning a message (after its handler threw, or a prefetched message the processor gave back).</summary>
    Abandon = 4,

    /// <summary>Renewing the lock of a message while its handler ran.</summary>
    RenewLock = 5,

    /// <summary>Dead-lettering a message.</summary>
    DeadLetter = 6,

    /// <summary>Deferring a message.</summary>
    Defer = 7,
}
