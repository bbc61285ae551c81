using Loire.Messages;

namespace Loire.Grains.Queues;

/// <summary>
/// The in-memory index of one queue grain: every message by sequence number, the available messages of each
/// sub-queue in sequence order, the locks, and the time-ordered work (lock expiry, scheduled visibility, TTL).
/// Heaps use lazy deletion: an entry popped from a heap is checked against its current state.
/// Not thread-safe: only the owning grain's turns touch it.
/// </summary>
internal sealed class QueueIndex
{
    private readonly Dictionary<long, MessageEntry> _bySequence = [];
    private readonly PriorityQueue<MessageEntry, long>[] _available = [new(), new()];
    private readonly Dictionary<Guid, MessageEntry> _locks = [];
    private readonly PriorityQueue<MessageEntry, DateTimeOffset> _lockExpiries = new();
    private readonly PriorityQueue<MessageEntry, DateTimeOffset> _scheduled = new();
    private readonly PriorityQueue<MessageEntry, DateTimeOffset> _expiries = new();
    private readonly long[] _availableCount = new long[2];

    public long ActiveCount { get; private set; }

    public long DeadLetterCount { get; private set; }

    public long ScheduledCount { get; private set; }

    public long DeferredCount { get; private set; }

    public long LockedCount => _locks.Count;

    public long TotalCount => _bySequence.Count;

    public long SizeInBytes { get; private set; }

    public long AvailableCount(SubQueueKind subQueue) => _availableCount[(int)subQueue];

    public IEnumerable<MessageEntry> Entries => _bySequence.Values;

    public bool TryGet(long sequenceNumber, out MessageEntry entry) => _bySequence.TryGetValue(sequenceNumber, out entry!);

    public bool TryGetLocked(Guid lockToken, out MessageEntry entry) => _locks.TryGetValue(lockToken, out entry!);

    /// <summary>Set on session entities: available main-queue entries go to their session's order, not the shared heap.</summary>
    public SessionIndex? Sessions { get; set; }

    /// <summary>True when a timer has work to do: locks, scheduled messages, expiring messages or held sessions.</summary>
    public bool HasTimedWork => _locks.Count > 0 || _scheduled.Count > 0 || _expiries.Count > 0 || Sessions is { HasTimedWork: true };

    /// <summary>Adds a durable entry in the state its fields say (Active, Deferred or Scheduled; main or dead-letter).</summary>
    public void Add(MessageEntry entry, DateTimeOffset now)
    {
        _bySequence.Add(entry.SequenceNumber, entry);
        SizeInBytes += entry.Size;
        Count(entry, +1);
        if (entry.State == MessageState.Scheduled)
        {
            _scheduled.Enqueue(entry, entry.Stored.Message.ScheduledEnqueueTime ?? now);
        }
        else if (entry.State == MessageState.Active)
        {
            MakeAvailable(entry);
        }

        TrackExpiry(entry);
    }

    /// <summary>Drops an entry (completed, received-and-deleted, expired, cancelled).</summary>
    public void Remove(MessageEntry entry)
    {
        if (entry.IsRemoved)
        {
            return;
        }

        Unlock(entry);
        Withdraw(entry);
        entry.IsRemoved = true;
        _bySequence.Remove(entry.SequenceNumber);
        SizeInBytes -= entry.Size;
        Count(entry, -1);
    }

    /// <summary>Moves an entry to another state or sub-queue, keeping counts and heaps consistent.</summary>
    public void Transition(MessageEntry entry, MessageState state, SubQueueKind subQueue)
    {
        Withdraw(entry);
        Count(entry, -1);
        entry.State = state;
        entry.SubQueue = subQueue;
        Count(entry, +1);
        if (state == MessageState.Active && !entry.IsLocked)
        {
            MakeAvailable(entry);
        }

        TrackExpiry(entry);
    }

    /// <summary>Puts an unlocked active entry back among the available ones.</summary>
    public void MakeAvailable(MessageEntry entry)
    {
        if (entry.IsAvailable || entry.IsRemoved || entry.IsLocked || entry.State != MessageState.Active)
        {
            return;
        }

        entry.IsAvailable = true;
        _availableCount[(int)entry.SubQueue]++;
        if (Sessions?.Offer(entry) == true)
        {
            return;
        }

        _available[(int)entry.SubQueue].Enqueue(entry, entry.SequenceNumber);
    }

    /// <summary>Takes the oldest available entry of a sub-queue out of the available set.</summary>
    public bool TryTakeAvailable(SubQueueKind subQueue, out MessageEntry entry)
    {
        var heap = _available[(int)subQueue];
        while (heap.TryDequeue(out entry!, out _))
        {
            if (entry.IsAvailable && !entry.IsRemoved && entry.SubQueue == subQueue)
            {
                entry.IsAvailable = false;
                _availableCount[(int)subQueue]--;
                return true;
            }
        }

        return false;
    }

    public void Lock(MessageEntry entry, Guid lockToken, DateTimeOffset lockedUntil)
    {
        Withdraw(entry);
        entry.LockToken = lockToken;
        entry.LockedUntil = lockedUntil;
        _locks.Add(lockToken, entry);
        _lockExpiries.Enqueue(entry, lockedUntil);
    }

    public void RenewLock(MessageEntry entry, DateTimeOffset lockedUntil)
    {
        entry.LockedUntil = lockedUntil;
        _lockExpiries.Enqueue(entry, lockedUntil);
    }

    /// <summary>Releases the lock without making the entry available (the caller decides where it goes).</summary>
    public void Unlock(MessageEntry entry)
    {
        if (entry.IsLocked)
        {
            _locks.Remove(entry.LockToken);
            entry.LockToken = Guid.Empty;
            entry.LockedUntil = default;
        }
    }

    /// <summary>Unlocks and returns the entries whose lock ran out by <paramref name="now"/>; the caller decides where they go.</summary>
    public List<MessageEntry>? TakeExpiredLocks(DateTimeOffset now)
    {
        List<MessageEntry>? expired = null;
        while (_lockExpiries.TryPeek(out var entry, out var until) && until <= now)
        {
            _lockExpiries.Dequeue();
            if (entry.IsLocked && !entry.IsSettling && entry.LockedUntil <= now)
            {
                Unlock(entry);
                (expired ??= []).Add(entry);
            }
        }

        return expired;
    }

    /// <summary>Returns an unlocked entry to its place: available when active, and watched for expiry again.</summary>
    public void Release(MessageEntry entry)
    {
        Unlock(entry);
        MakeAvailable(entry);
        TrackExpiry(entry);
    }

    /// <summary>Scheduled entries whose time has come; they become active and available.</summary>
    public int ActivateDueScheduled(DateTimeOffset now, List<MessageEntry>? activatedEntries = null)
    {
        var activated = 0;
        List<(MessageEntry Entry, DateTimeOffset Due)>? beingCancelled = null;
        while (_scheduled.TryPeek(out var entry, out var due) && due <= now)
        {
            _scheduled.Dequeue();
            if (entry.IsRemoved || entry.State != MessageState.Scheduled)
            {
                continue;
            }

            if (entry.IsSettling)
            {
                // A cancel is being written; if it fails the message must still become visible later.
                (beingCancelled ??= []).Add((entry, due));
                continue;
            }

            Transition(entry, MessageState.Active, entry.SubQueue);
            activatedEntries?.Add(entry);
            activated++;
        }

        foreach (var (entry, due) in beingCancelled ?? [])
        {
            _scheduled.Enqueue(entry, due);
        }

        return activated;
    }

    /// <summary>
    /// The main queue's available entry with the lowest sequence number (the one waiting longest, but for abandoned
    /// ones, which keep their place); null when none waits or the entity keeps them in sessions.
    /// </summary>
    public MessageEntry? OldestAvailable()
    {
        var heap = _available[(int)SubQueueKind.None];
        while (heap.TryPeek(out var entry, out _))
        {
            if (entry.IsAvailable && !entry.IsRemoved && entry.SubQueue == SubQueueKind.None)
            {
                return entry;
            }

            // A stale heap slot (taken, withdrawn or moved): dropping it is what the next take would do.
            heap.Dequeue();
        }

        return null;
    }

    /// <summary>The earliest time a scheduled entry comes due; null when none is scheduled.</summary>
    public DateTimeOffset? NextScheduledAt()
    {
        while (_scheduled.TryPeek(out var entry, out var due))
        {
            if (!entry.IsRemoved && entry.State == MessageState.Scheduled)
            {
                return due;
            }

            _scheduled.Dequeue();
        }

        return null;
    }

    /// <summary>
    /// Marks as settling and returns the unlocked entries whose time to live ran out by <paramref name="now"/>.
    /// A locked entry is skipped: its expiry is tracked again when the lock is released.
    /// </summary>
    public List<MessageEntry>? TakeExpiredMessages(DateTimeOffset now)
    {
        List<MessageEntry>? expired = null;
        while (_expiries.TryPeek(out var entry, out var expiresAt) && expiresAt <= now)
        {
            _expiries.Dequeue();
            if (!entry.IsRemoved && !entry.IsLocked && !entry.IsSettling && entry.SubQueue == SubQueueKind.None)
            {
                Withdraw(entry);
                entry.IsSettling = true;
                (expired ??= []).Add(entry);
            }
        }

        return expired;
    }

    public static bool IsExpired(MessageEntry entry, DateTimeOffset now) =>
        entry.SubQueue == SubQueueKind.None && entry.Stored.ExpiresAt <= now;

    private void TrackExpiry(MessageEntry entry)
    {
        if (entry.SubQueue == SubQueueKind.None && entry.Stored.ExpiresAt != DateTimeOffset.MaxValue)
        {
            _expiries.Enqueue(entry, entry.Stored.ExpiresAt);
        }
    }

    /// <summary>Takes an entry out of the available set (no-op when it is not in it).</summary>
    public void Withdraw(MessageEntry entry)
    {
        if (entry.IsAvailable)
        {
            entry.IsAvailable = false;
            _availableCount[(int)entry.SubQueue]--;
        }
    }

    private void Count(MessageEntry entry, int delta)
    {
        if (entry.SubQueue == SubQueueKind.DeadLetter)
        {
            DeadLetterCount += delta;
            return;
        }

        switch (entry.State)
        {
            case MessageState.Active:
                ActiveCount += delta;
                break;
            case MessageState.Deferred:
                DeferredCount += delta;
                break;
            case MessageState.Scheduled:
                ScheduledCount += delta;
                break;
        }
    }
}
