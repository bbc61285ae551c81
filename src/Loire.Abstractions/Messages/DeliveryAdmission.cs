namespace Loire.Messages;

/// <summary>How a subscription takes part in a topic's fan-out.</summary>
[GenerateSerializer, Alias("loire.DeliveryMode")]
public enum DeliveryMode
{
    /// <summary>The topic's batch stores the messages; the subscription indexes them once the batch is durable.</summary>
    Store,

    /// <summary>As <see cref="Store"/>, and the subscription offers them to waiting receivers as soon as the batch is queued (EnableEarlyDelivery).</summary>
    StoreEarly,

    /// <summary>The subscription stores nothing: it forwards what it gets to its ForwardTo target (an ordinary delivery).</summary>
    Forward,
}

/// <summary>
/// A subscription's answer to a topic that wants to fan messages out to it: it admitted them (quota checked and their
/// space reserved) and says what the topic must write for it, so the topic stores every subscription's copy in one batch.
/// </summary>
/// <param name="Mode">How the subscription takes the messages.</param>
/// <param name="EnqueuedTime">The enqueued time of every message (Store modes).</param>
/// <param name="ExpiresAt">Per message, when it expires in this subscription (Store modes).</param>
/// <param name="Depth">The subscription's encoded depth as it is once the messages are stored, for the same batch (Store modes).</param>
/// <param name="Epoch">
/// The store epoch of the subscription activation that admitted (Store modes; 0 for none): the topic's batch requires
/// it, so the copies are not written once a newer activation of the subscription took over, which would not index them.
/// </param>
[GenerateSerializer, Immutable, Alias("loire.DeliveryAdmission")]
public sealed record DeliveryAdmission(
    [property: Id(0)] DeliveryMode Mode,
    [property: Id(1)] DateTimeOffset EnqueuedTime,
    [property: Id(2)] DateTimeOffset[] ExpiresAt,
    [property: Id(3)] byte[] Depth,
    [property: Id(4)] long Epoch = 0)
{
    /// <summary>The answer of a forwarding subscription.</summary>
    public static DeliveryAdmission Forwarding { get; } = new(DeliveryMode.Forward, default, [], []);
}
