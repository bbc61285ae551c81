namespace Loire.Client.Delivery;

/// <summary>
/// The client's record of one delivery link of a <see cref="DeliveryLinkSet"/>: the credit it granted (a running
/// total), what it was pushed, and, once the broker said how many it pushed in all, whether some are still on their
/// way. Guarded by the set's link lock.
/// </summary>
internal sealed class PushLink(Guid id, PushPartition partition)
{
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Guid Id { get; } = id;

    /// <summary>The partition the link is on; its unused credit goes back to that partition's quota.</summary>
    public PushPartition Partition { get; } = partition;

    /// <summary>Credit granted to the broker in all, since the link opened.</summary>
    public long Granted { get; set; }

    /// <summary>Messages received through the link.</summary>
    public long Received { get; private set; }

    /// <summary>Messages the broker pushed in all, once the link closed; null while it is open.</summary>
    public long? Delivered { get; private set; }

    /// <summary>Credit the broker may still use: granted and not yet received.</summary>
    public long Outstanding => Granted - Received;

    /// <summary>Completes once the link is closed and everything it was pushed arrived.</summary>
    public Task Drained => _drained.Task;

    public void CountReceived(int count)
    {
        Received += count;
        CheckDrained();
    }

    /// <summary>The link closed after <paramref name="delivered"/> pushes; returns the granted credit the broker never used.</summary>
    public long Close(long delivered)
    {
        Delivered = delivered;
        CheckDrained();
        return Math.Max(0, Granted - delivered);
    }

    private void CheckDrained()
    {
        if (Received >= Delivered)
        {
            _drained.TrySetResult();
        }
    }
}
