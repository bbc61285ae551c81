namespace Loire.Client;

/// <summary>How a <see cref="LoireReceiver"/> receives.</summary>
public sealed class LoireReceiverOptions
{
    /// <summary>Lock and settle (default), or remove on delivery.</summary>
    public LoireReceiveMode ReceiveMode { get; set; } = LoireReceiveMode.PeekLock;

    /// <summary>
    /// How many messages the receiver may fetch ahead and hold locally (default 0: none). Prefetched messages are
    /// locked while they wait, so a large value with a slow consumer means more lock expiries; a prefetched message
    /// whose lock has expired or is about to is never handed out. Ignored in
    /// <see cref="LoireReceiveMode.ReceiveAndDelete"/> mode, where a prefetched message would be lost if the
    /// receiver closed before handing it out.
    /// </summary>
    public int PrefetchCount { get; set; }

    /// <summary>The entity itself (default) or its dead-letter queue.</summary>
    public SubQueue SubQueue { get; set; } = SubQueue.None;
}
