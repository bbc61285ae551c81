namespace Loire.Client;

/// <summary>How a <see cref="LoireProcessor"/> or a prefetching <see cref="LoireReceiver"/> gets its messages from the broker.</summary>
public enum LoireDeliveryMode
{
    /// <summary>
    /// The processor opens a delivery link and the broker pushes messages as they arrive, within the credit the
    /// processor grants (its free handler and prefetch slots). Used for peek-lock processors; on a partitioned entity
    /// the processor opens a link per partition and gives each a fixed share of its slots, so it pushes only when
    /// <see cref="LoireProcessorOptions.MaxConcurrentCalls"/> plus <see cref="LoireProcessorOptions.PrefetchCount"/> is
    /// at least the partition count. The others poll. A peek-lock receiver with prefetch opens links the same way, with
    /// its prefetch count as their credit (see <see cref="LoireReceiverOptions.DeliveryMode"/>).
    /// </summary>
    Push = 0,

    /// <summary>The processor or receiver asks for messages with long-polling receives, one broker call per batch.</summary>
    LongPoll = 1,
}
