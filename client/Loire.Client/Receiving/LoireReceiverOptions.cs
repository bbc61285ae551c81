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

    /// <summary>
    /// How prefetched messages get here (default <see cref="LoireDeliveryMode.Push"/>): pushed by the broker through
    /// delivery links whose credit is the prefetch count, or fetched by each receive call. Push applies to peek-lock
    /// receivers whose prefetch count is at least the entity's partition count; a receive then returns at most
    /// <see cref="PrefetchCount"/> messages. Session receivers always fetch.
    /// </summary>
    public LoireDeliveryMode DeliveryMode { get; set; } = LoireDeliveryMode.Push;

    /// <summary>The entity itself (default) or its dead-letter queue.</summary>
    public SubQueue SubQueue { get; set; } = SubQueue.None;
}
