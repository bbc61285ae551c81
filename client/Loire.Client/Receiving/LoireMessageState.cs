namespace Loire.Client;

/// <summary>Where a received or peeked message stands in its entity.</summary>
public enum LoireMessageState
{
    /// <summary>Available to receivers (or locked by one).</summary>
    Active = 0,

    /// <summary>Set aside by <see cref="LoireReceiver.DeferMessageAsync"/>; only receivable by sequence number.</summary>
    Deferred = 1,

    /// <summary>Invisible until its scheduled enqueue time.</summary>
    Scheduled = 2,
}
