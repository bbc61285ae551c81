using Loire.Messages;

namespace Loire.Grains.Queues;

/// <summary>
/// One session of a session entity, as its queue grain tracks it: the session's available messages in sequence
/// order, the session lock, the message locks granted under that lock, parked receives of the holder, and the
/// session state. Exists only while it has available messages, a lock, state or a write in flight
/// (see <see cref="SessionIndex.TryDrop"/>).
/// </summary>
internal sealed class MessageSession(string id)
{
    private const int MinHeldPruneThreshold = 64;

    private int _heldPruneThreshold = MinHeldPruneThreshold;

    public string Id { get; } = id;

    /// <summary>Available main-queue entries of the session by sequence number; lazy deletion (see <see cref="IsTakeable"/>).</summary>
    public PriorityQueue<MessageEntry, long> Available { get; } = new();

    public Guid LockToken { get; private set; }

    public DateTimeOffset LockedUntil { get; private set; }

    public bool IsLocked => LockToken != Guid.Empty;

    /// <summary>Message locks granted under the current session lock, as (entry, token) pairs; entries settled or released since are pruned lazily.</summary>
    public List<(MessageEntry Entry, Guid LockToken)> Held { get; } = [];

    /// <summary>Receives of the holder parked until the session gets a message.</summary>
    public LinkedList<ReceiveWaiter> Waiters { get; } = new();

    /// <summary>The durable session state; null when the session has none.</summary>
    public byte[]? State { get; set; }

    /// <summary>Record number of the state in the store; 0 until one is assigned. Kept after the state is removed, for reuse.</summary>
    public long StateKey { get; set; }

    /// <summary>State writes in flight; the session is not dropped meanwhile.</summary>
    public int Pins { get; set; }

    /// <summary>Priority under which the session sits in the index's acceptable queue; <see cref="long.MaxValue"/> when not queued.</summary>
    public long QueuedAt { get; set; } = long.MaxValue;

    public void SetLock(Guid lockToken, DateTimeOffset lockedUntil)
    {
        LockToken = lockToken;
        LockedUntil = lockedUntil;
    }

    public void ClearLock()
    {
        LockToken = Guid.Empty;
        LockedUntil = default;
        Held.Clear();
        _heldPruneThreshold = MinHeldPruneThreshold;
    }

    /// <summary>The oldest entry the holder could take now, discarding stale heap entries on the way.</summary>
    public bool TryPeekAvailable(out MessageEntry entry)
    {
        while (Available.TryPeek(out entry!, out _))
        {
            if (IsTakeable(entry))
            {
                return true;
            }

            Available.Dequeue();
        }

        return false;
    }

    /// <summary>Pops the oldest takeable entry; it is still marked available (the caller withdraws it from the index).</summary>
    public bool TryTakeAvailable(out MessageEntry entry)
    {
        if (TryPeekAvailable(out entry))
        {
            Available.Dequeue();
            return true;
        }

        return false;
    }

    /// <summary>Records a message lock granted under the session lock, pruning records that no longer hold.</summary>
    public void AddHeld(MessageEntry entry, Guid lockToken)
    {
        Held.Add((entry, lockToken));
        if (Held.Count >= _heldPruneThreshold)
        {
            Held.RemoveAll(static held => !StillHeld(held));
            _heldPruneThreshold = Math.Max(MinHeldPruneThreshold, Held.Count * 2);
        }
    }

    /// <summary>True while the entry still carries the lock it got under this session lock.</summary>
    public static bool StillHeld((MessageEntry Entry, Guid LockToken) held) =>
        !held.Entry.IsRemoved && held.Entry.LockToken == held.LockToken;

    private static bool IsTakeable(MessageEntry entry) =>
        entry.IsAvailable && !entry.IsRemoved && !entry.IsLocked && entry.SubQueue == SubQueueKind.None && entry.State == MessageState.Active;
}
