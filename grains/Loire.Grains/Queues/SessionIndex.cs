using Loire.Messages;

namespace Loire.Grains.Queues;

/// <summary>
/// The sessions of a session entity (RequiresSession). <see cref="QueueIndex"/> hands every main-queue entry that
/// becomes available to <see cref="Offer"/>, which files it under its session instead of the shared heap. Unlocked
/// sessions with available messages wait in a queue ordered by their oldest available message, so accepting the
/// next session costs O(log n); session lock expiries sit in a second heap. Both heaps use lazy deletion.
/// Not thread-safe: only the owning grain's turns touch it.
/// </summary>
internal sealed class SessionIndex
{
    private readonly Dictionary<string, MessageSession> _sessions = new(StringComparer.Ordinal);
    private readonly PriorityQueue<MessageSession, long> _acceptable = new();
    private readonly PriorityQueue<MessageSession, DateTimeOffset> _lockExpiries = new();
    private readonly HashSet<MessageSession> _ready = [];
    private int _lockedCount;

    /// <summary>Sessions currently tracked (with messages, a lock or state).</summary>
    public int Count => _sessions.Count;

    /// <summary>True while a session lock may run out.</summary>
    public bool HasTimedWork => _lockedCount > 0;

    public IEnumerable<MessageSession> Sessions => _sessions.Values;

    /// <summary>The session a message belongs to (a message without one, which sends refuse, counts as session "").</summary>
    public static string SessionOf(MessageEntry entry) => entry.Stored.Message.SessionId ?? string.Empty;

    public MessageSession? Find(string sessionId) => _sessions.GetValueOrDefault(sessionId);

    public MessageSession GetOrAdd(string sessionId)
    {
        if (!_sessions.TryGetValue(sessionId, out var session))
        {
            session = new MessageSession(sessionId);
            _sessions.Add(sessionId, session);
        }

        return session;
    }

    /// <summary>Files an entry that just became available under its session; false for entries sessions do not own (dead letters).</summary>
    public bool Offer(MessageEntry entry)
    {
        if (entry.SubQueue != SubQueueKind.None)
        {
            return false;
        }

        var session = GetOrAdd(SessionOf(entry));
        session.Available.Enqueue(entry, entry.SequenceNumber);
        if (session.IsLocked)
        {
            if (session.Waiters.Count > 0)
            {
                _ready.Add(session);
            }
        }
        else
        {
            Enqueue(session, entry.SequenceNumber);
        }

        return true;
    }

    /// <summary>Takes the unlocked session whose oldest available message is the oldest of all; null when there is none.</summary>
    public MessageSession? TakeNextAcceptable()
    {
        while (_acceptable.TryDequeue(out var session, out var queuedAt))
        {
            if (queuedAt != session.QueuedAt)
            {
                continue; // superseded by a later, smaller priority
            }

            session.QueuedAt = long.MaxValue;
            if (session.IsLocked || !ReferenceEquals(Find(session.Id), session))
            {
                continue;
            }

            if (!session.TryPeekAvailable(out var head))
            {
                TryDrop(session);
                continue;
            }

            if (head.SequenceNumber != queuedAt)
            {
                // Its oldest message left since it was queued: queue it again under the current one.
                Enqueue(session, head.SequenceNumber);
                continue;
            }

            return session;
        }

        return null;
    }

    public void Lock(MessageSession session, Guid lockToken, DateTimeOffset lockedUntil)
    {
        if (!session.IsLocked)
        {
            _lockedCount++;
        }

        session.SetLock(lockToken, lockedUntil);
        _lockExpiries.Enqueue(session, lockedUntil);
    }

    public void Renew(MessageSession session, DateTimeOffset lockedUntil)
    {
        session.SetLock(session.LockToken, lockedUntil);
        _lockExpiries.Enqueue(session, lockedUntil);
    }

    /// <summary>Drops the session lock (and the record of its message locks; the caller released those first).</summary>
    public void Unlock(MessageSession session)
    {
        if (session.IsLocked)
        {
            _lockedCount--;
            session.ClearLock();
            _ready.Remove(session);
        }
    }

    /// <summary>Sessions whose lock ran out by <paramref name="now"/>; still locked, the caller releases them.</summary>
    public List<MessageSession>? TakeExpiredLocks(DateTimeOffset now)
    {
        List<MessageSession>? expired = null;
        while (_lockExpiries.TryPeek(out var session, out var until) && until <= now)
        {
            _lockExpiries.Dequeue();
            if (session.IsLocked && session.LockedUntil <= now && !(expired?.Contains(session) ?? false))
            {
                (expired ??= []).Add(session);
            }
        }

        return expired;
    }

    /// <summary>Locked sessions that got messages while their holder had a receive parked.</summary>
    public List<MessageSession>? TakeReady()
    {
        if (_ready.Count == 0)
        {
            return null;
        }

        var ready = _ready.ToList();
        _ready.Clear();
        return ready;
    }

    /// <summary>After an unlock: queues the session for acceptance when it has available messages, else drops it if it is empty.</summary>
    public void Requeue(MessageSession session)
    {
        if (session.IsLocked || !ReferenceEquals(Find(session.Id), session))
        {
            return;
        }

        if (session.TryPeekAvailable(out var head))
        {
            Enqueue(session, head.SequenceNumber);
        }
        else
        {
            TryDrop(session);
        }
    }

    /// <summary>Forgets a session that has no lock, state, pending write, parked receive or available message.</summary>
    public bool TryDrop(MessageSession session)
    {
        if (session.IsLocked || session.State is not null || session.Pins > 0
            || session.Waiters.Count > 0 || session.TryPeekAvailable(out _))
        {
            return false;
        }

        if (ReferenceEquals(Find(session.Id), session))
        {
            _sessions.Remove(session.Id);
        }

        return true;
    }

    private void Enqueue(MessageSession session, long head)
    {
        if (head >= session.QueuedAt)
        {
            return;
        }

        session.QueuedAt = head;
        _acceptable.Enqueue(session, head);

        // Superseded entries and those of locked or dropped sessions leave only when popped; when nobody accepts the
        // next session (only named accepts) they would pile up, so rebuild once they outnumber the sessions.
        if (_acceptable.Count > 2 * _sessions.Count + 64)
        {
            RebuildAcceptable();
        }
    }

    private void RebuildAcceptable()
    {
        _acceptable.Clear();
        foreach (var session in _sessions.Values)
        {
            session.QueuedAt = long.MaxValue;
            if (!session.IsLocked && session.TryPeekAvailable(out var head))
            {
                session.QueuedAt = head.SequenceNumber;
                _acceptable.Enqueue(session, head.SequenceNumber);
            }
        }
    }
}
