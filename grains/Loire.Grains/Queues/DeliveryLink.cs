using Loire.Messages;

namespace Loire.Grains.Queues;

/// <summary>A push delivery link of one client: where its messages go and how much it may still be pushed.</summary>
internal sealed class DeliveryLink(Guid id, IDeliveryObserver observer, SubQueueKind subQueue, DateTimeOffset renewedAt)
{
    public Guid Id { get; } = id;

    public IDeliveryObserver Observer { get; set; } = observer;

    public SubQueueKind SubQueue { get; } = subQueue;

    /// <summary>Running total of the credit the client granted; only ever raised, so a repeated grant changes nothing.</summary>
    public long Granted { get; private set; }

    /// <summary>Messages pushed through the link so far.</summary>
    public long Delivered { get; private set; }

    public DateTimeOffset RenewedAt { get; set; } = renewedAt;

    public long Credit => Granted - Delivered;

    public void Grant(long grantedTotal)
    {
        if (grantedTotal > Granted)
        {
            Granted = grantedTotal;
        }
    }

    /// <summary>Counts <paramref name="count"/> messages pushed; returns the count before them.</summary>
    public long CountPushed(int count)
    {
        var first = Delivered;
        Delivered += count;
        return first;
    }
}
