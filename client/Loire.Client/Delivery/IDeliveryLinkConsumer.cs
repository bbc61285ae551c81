namespace Loire.Client.Delivery;

/// <summary>Who a <see cref="DeliveryLinkSet"/> delivers to: a processor run, or a receiver's prefetch buffer.</summary>
internal interface IDeliveryLinkConsumer
{
    /// <summary>
    /// Takes messages the broker pushed through one of <paramref name="links"/>, each holding a credit of it until
    /// given back with <see cref="DeliveryLinkSet.Release"/>; false when it takes none any more (it is closing): the
    /// set abandons them.
    /// </summary>
    bool TryAccept(DeliveryLinkSet links, List<LoireReceivedMessage> messages);

    /// <summary>A link call failed: reports it and backs off; true to open a new link, false to end the partition's link loop.</summary>
    Task<bool> RecoverAsync(Exception exception, int failures, CancellationToken stopping);
}
