namespace Loire.Client;

/// <summary>How a <see cref="LoireProcessor"/> receives, dispatches and settles messages.</summary>
public sealed class LoireProcessorOptions
{
    /// <summary>Most handler calls running at the same time. At least 1; default 1.</summary>
    public int MaxConcurrentCalls { get; set; } = 1;

    /// <summary>
    /// How many messages the processor may hold ahead of its handlers (default 0: none). The processor never holds
    /// more than <see cref="MaxConcurrentCalls"/> + <see cref="PrefetchCount"/> received but unsettled messages, so a
    /// slow handler is never flooded. Prefetched messages are locked while they wait; one whose lock is about to
    /// expire is given back instead of being handed to a handler. Ignored in <see cref="LoireReceiveMode.ReceiveAndDelete"/>
    /// mode, where a prefetched message would be lost if the processor stopped before handling it.
    /// </summary>
    public int PrefetchCount { get; set; }

    /// <summary>
    /// Whether a message whose handler returned without settling it is completed (default true). Whatever this says,
    /// a message whose handler threw and did not settle it is abandoned, so it is delivered again.
    /// </summary>
    public bool AutoCompleteMessages { get; set; } = true;

    /// <summary>
    /// How long after receipt the processor keeps renewing the lock of a message whose handler is still running
    /// (default 5 minutes). <see cref="TimeSpan.Zero"/> disables automatic renewal.
    /// </summary>
    public TimeSpan MaxAutoLockRenewalDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Lock and settle (default), or remove on delivery.</summary>
    public LoireReceiveMode ReceiveMode { get; set; } = LoireReceiveMode.PeekLock;

    /// <summary>The entity itself (default) or its dead-letter queue.</summary>
    public SubQueue SubQueue { get; set; } = SubQueue.None;

    /// <summary>
    /// How long one receive waits for messages before asking again (a long poll; default 20 s). Longer waits are
    /// split into several broker calls, each well below the operation timeout. Must be positive.
    /// </summary>
    public TimeSpan MaxReceiveWaitTime { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Push (default): the broker pushes messages within the processor's credit, for peek-lock processors with at
    /// least one credit per partition of the entity (the others poll); or long polling. Locks, settlement and
    /// stopping work the same either way.
    /// </summary>
    public LoireDeliveryMode DeliveryMode { get; set; } = LoireDeliveryMode.Push;

    internal LoireProcessorOptions Clone() => new()
    {
        MaxConcurrentCalls = MaxConcurrentCalls,
        PrefetchCount = PrefetchCount,
        AutoCompleteMessages = AutoCompleteMessages,
        MaxAutoLockRenewalDuration = MaxAutoLockRenewalDuration,
        ReceiveMode = ReceiveMode,
        SubQueue = SubQueue,
        MaxReceiveWaitTime = MaxReceiveWaitTime,
        DeliveryMode = DeliveryMode,
    };

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for values the processor cannot work with.</summary>
    internal void Validate()
    {
        if (MaxConcurrentCalls < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrentCalls), MaxConcurrentCalls, "MaxConcurrentCalls must be at least 1.");
        }

        if (PrefetchCount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(PrefetchCount), PrefetchCount, "PrefetchCount must not be negative.");
        }

        if (MaxAutoLockRenewalDuration < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxAutoLockRenewalDuration), MaxAutoLockRenewalDuration,
                "MaxAutoLockRenewalDuration must not be negative; TimeSpan.Zero disables lock renewal.");
        }

        if (!Enum.IsDefined(ReceiveMode))
        {
            throw new ArgumentOutOfRangeException(nameof(ReceiveMode), ReceiveMode, "Unknown receive mode.");
        }

        if (!Enum.IsDefined(SubQueue))
        {
            throw new ArgumentOutOfRangeException(nameof(SubQueue), SubQueue, "Unknown sub-queue.");
        }

        if (!Enum.IsDefined(DeliveryMode))
        {
            throw new ArgumentOutOfRangeException(nameof(DeliveryMode), DeliveryMode, "Unknown delivery mode.");
        }

        if (MaxReceiveWaitTime <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxReceiveWaitTime), MaxReceiveWaitTime, "MaxReceiveWaitTime must be positive.");
        }
    }
}
