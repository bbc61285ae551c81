namespace Loire.Client.Delivery;

/// <summary>
/// One partition of a <see cref="DeliveryLinkSet"/>: the grain its link is on, the share of the set's credit its
/// messages may hold (its quota), the part of that share free to grant, and its current link (guarded by the set's
/// link lock).
/// </summary>
internal sealed class PushPartition(string grainPath, int quota)
{
    private long _freeCredits = quota;

    /// <summary>The partition's grain.</summary>
    public string GrainPath { get; } = grainPath;

    /// <summary>Freed credit is granted in batches of a quarter of the quota (or with the next renewal).</summary>
    public int FlowThreshold { get; } = Math.Max(1, Math.Min(quota, DeliveryLinkSet.MaxLinkCredit) / 4);

    /// <summary>Released when credits worth a grant are free, or when the broker closed the link.</summary>
    public SemaphoreSlim FlowSignal { get; } = new(0);

    /// <summary>The open link; null while none is.</summary>
    public PushLink? Link { get; set; }

    /// <summary>Credits of the quota free and not yet granted.</summary>
    public long FreeCredits => Volatile.Read(ref _freeCredits);

    /// <summary>Gives credits back to the quota; signals once they are worth a grant.</summary>
    public void Release(long count)
    {
        if (count <= 0)
        {
            return;
        }

        var free = Interlocked.Add(ref _freeCredits, count);
        if (free >= FlowThreshold && free - count < FlowThreshold)
        {
            FlowSignal.Release();
        }
    }

    /// <summary>Takes the free credits, at most <paramref name="most"/>; returns how many.</summary>
    public long Take(long most)
    {
        if (most <= 0)
        {
            return 0;
        }

        var take = Interlocked.Exchange(ref _freeCredits, 0);
        if (take > most)
        {
            Interlocked.Add(ref _freeCredits, take - most);
            take = most;
        }

        return take;
    }
}
