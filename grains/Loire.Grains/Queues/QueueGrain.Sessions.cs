using Loire.Client;
using Loire.Entities;
using Loire.Grains.Persistence;
using Loire.Messages;
using Loire.Storage;

namespace Loire.Grains.Queues;

/// <summary>
/// Sessions (RequiresSession entities). Available main-queue messages are filed per session by
/// <see cref="SessionIndex"/>; a receiver locks a whole session (accept), then receives its messages strictly in
/// sequence order, settles them with the usual message locks, and keeps per-session state. Releasing the session
/// (close, or expiry of its lock on the timer) returns the messages it still holds, their delivery counted. The
/// dead-letter queue of a session entity is not session-bound: plain receivers read it.
/// Session state is durable: one record per session with state, in the pseudo-entity <c>{path}/$sessions</c>,
/// written alone (one record per write, so atomic) and deleted with the entity.
/// </summary>
internal sealed partial class QueueGrain
{
    private const int MaxSessionIdLength = 128;

    /// <summary>Suffix of the pseudo-entity path under which session states are stored ('$' segments cannot name entities).</summary>
    internal const string SessionStateSuffix = "/$sessions";

    private readonly LinkedList<SessionAcceptWaiter> _sessionAcceptWaiters = new();
    private long _nextSessionStateKey = 1;

    private string SessionStatePath => Path + SessionStateSuffix;

    public async ValueTask<AcceptedSession?> AcceptSessionAsync(AcceptSessionRequest request, CancellationToken cancellationToken = default)
    {
        var options = RequireEntity().Description.Options;
        var sessions = RequireSessions();
        if (request is null)
        {
            throw new LoireException(LoireErrorReason.InvalidArgument, "The accept request is missing.", Path);
        }

        if (request.MaxWaitTime < TimeSpan.Zero || request.MaxWaitTime > MaxWaitTime)
        {
            throw new LoireException(LoireErrorReason.InvalidArgument, $"MaxWaitTime must be between 0 and {MaxWaitTime}; got {request.MaxWaitTime}.", Path);
        }

        if (request.SessionId is { } sessionId)
        {
            ValidateSessionId(sessionId);
            var session = sessions.GetOrAdd(sessionId);
            if (session.IsLocked && session.LockedUntil <= time.GetUtcNow())
            {
                // Its lock ran out and the timer has not released it yet: release it now.
                await ReleaseSessionLocksAsync([session], options.MaxDeliveryCount);
                RequireEntity();
                session = sessions.GetOrAdd(sessionId);
            }

            if (session.IsLocked)
            {
                throw new LoireException(LoireErrorReason.SessionCannotBeLocked,
                    $"Session '{sessionId}' is locked by another receiver.", Path);
            }

            return LockSession(session, options.LockDuration);
        }

        if (sessions.TakeNextAcceptable() is { } next)
        {
            return LockSession(next, options.LockDuration);
        }

        return request.MaxWaitTime > TimeSpan.Zero ? await WaitForSessionAsync(request.MaxWaitTime, cancellationToken) : null;
    }

    public async ValueTask<DeliveredMessage[]> ReceiveSessionAsync(SessionHandle session, ReceiveRequest request, CancellationToken cancellationToken = default)
    {
        var options = RequireEntity().Description.Options;
        var held = RequireHeldSession(session);
        if (request is null || request.MaxMessages is < 1 or > MaxMessagesPerCall)
        {
            throw new LoireException(LoireErrorReason.InvalidArgument, $"MaxMessages must be between 1 and {MaxMessagesPerCall}; got {request?.MaxMessages}.", Path);
        }

        if (request.MaxWaitTime < TimeSpan.Zero || request.MaxWaitTime > MaxWaitTime)
        {
            throw new LoireException(LoireErrorReason.InvalidArgument, $"MaxWaitTime must be between 0 and {MaxWaitTime}; got {request.MaxWaitTime}.", Path);
        }

        if (request.SubQueue != SubQueueKind.None)
        {
            throw new LoireException(LoireErrorReason.InvalidArgument,
                "The dead-letter queue of a session entity is not session-bound; read it with a plain receiver.", Path);
        }

        var taken = TakeFromSession(held, request, options.LockDuration);
        if (taken.Count == 0 && request.MaxWaitTime > TimeSpan.Zero)
        {
            taken = await WaitForSessionMessagesAsync(held, request, cancellationToken);
        }

        if (taken.Count == 0)
        {
            return [];
        }

        return await HandOutAsync(taken, request.Mode);
    }

    public async ValueTask<DeliveredMessage[]> ReceiveSessionDeferredAsync(SessionHandle session, long[] sequenceNumbers, ReceiveModeKind mode, CancellationToken cancellationToken = default)
    {
        var options = RequireEntity().Description.Options;
        var held = RequireHeldSession(session);
        if (sequenceNumbers is null || sequenceNumbers.Length == 0)
        {
            return [];
        }

        var entries = new List<MessageEntry>(sequenceNumbers.Length);
        foreach (var sequenceNumber in sequenceNumbers.Distinct())
        {
            if (!_index.TryGet(sequenceNumber, out var entry) || entry.State != MessageState.Deferred || entry.SubQueue != SubQueueKind.None
                || entry.IsLocked || entry.IsSettling || SessionIndex.SessionOf(entry) != held.Id)
            {
                throw new LoireException(LoireErrorReason.MessageNotFound,
                    $"No deferred, unlocked message with sequence number {sequenceNumber} in session '{held.Id}' of '{Path}'.", Path);
            }

            entries.Add(entry);
        }

        return await DeliverDeferredAsync(entries, mode, options.LockDuration, held);
    }

    public ValueTask<DeliveredMessage[]> PeekSessionAsync(string sessionId, long fromSequenceNumber, int maxMessages, CancellationToken cancellationToken = default)
    {
        RequireEntity();
        RequireSessions();
        ValidateSessionId(sessionId);
        if (maxMessages is < 1 or > MaxMessagesPerCall)
        {
            throw new LoireException(LoireErrorReason.InvalidArgument, $"maxMessages must be between 1 and {MaxMessagesPerCall}; got {maxMessages}.", Path);
        }

        // Browsing is rare and lock-free; like the entity-wide peek it walks the index once with a bounded heap.
        var selected = new PriorityQueue<MessageEntry, long>(maxMessages + 1);
        foreach (var entry in _index.Entries)
        {
            if (entry.SubQueue != SubQueueKind.None || entry.SequenceNumber < fromSequenceNumber
                || !string.Equals(entry.Stored.Message.SessionId, sessionId, StringComparison.Ordinal))
            {
                continue;
            }

            selected.Enqueue(entry, -entry.SequenceNumber);
            if (selected.Count > maxMessages)
            {
                selected.Dequeue();
            }
        }

        var result = new DeliveredMessage[selected.Count];
        for (var i = result.Length - 1; i >= 0; i--)
        {
            result[i] = selected.Dequeue().ToDelivered() with { LockToken = Guid.Empty, LockedUntil = default };
        }

        return ValueTask.FromResult(result);
    }

    public async ValueTask<Guid[]> SettleSessionAsync(SessionHandle session, Settlement[] settlements, CancellationToken cancellationToken = default)
    {
        RequireEntity();
        var held = RequireHeldSession(session);
        if (settlements is null || settlements.Length == 0)
        {
            return [];
        }

        List<Guid>? foreign = null;
        var own = new List<Settlement>(settlements.Length);
        foreach (var settlement in settlements)
        {
            if (settlement is not null && _index.TryGetLocked(settlement.LockToken, out var entry) && IsOfSession(entry, held))
            {
                own.Add(settlement);
            }
            else
            {
                (foreign ??= []).Add(settlement?.LockToken ?? Guid.Empty);
            }
        }

        var lost = own.Count > 0 ? await SettleAsync([.. own], cancellationToken) : [];
        return foreign is null ? lost : [.. foreign, .. lost];
    }

    public ValueTask<DateTimeOffset?[]> RenewSessionMessageLocksAsync(SessionHandle session, Guid[] lockTokens, CancellationToken cancellationToken = default)
    {
        var options = RequireEntity().Description.Options;
        var held = RequireHeldSession(session);
        var now = time.GetUtcNow();
        var result = new DateTimeOffset?[lockTokens?.Length ?? 0];
        for (var i = 0; i < result.Length; i++)
        {
            if (_index.TryGetLocked(lockTokens![i], out var entry) && !entry.IsSettling && entry.LockedUntil >= now && IsOfSession(entry, held))
            {
                var lockedUntil = now + options.LockDuration;
                _index.RenewLock(entry, lockedUntil);
                result[i] = lockedUntil;
            }
        }

        return ValueTask.FromResult(result);
    }

    public ValueTask<DateTimeOffset> RenewSessionLockAsync(SessionHandle session, CancellationToken cancellationToken = default)
    {
        var options = RequireEntity().Description.Options;
        var held = RequireHeldSession(session);
        var now = time.GetUtcNow();
        var lockedUntil = now + options.LockDuration;
        _index.Sessions!.Renew(held, lockedUntil);
        DelayDeactivation(options.LockDuration);

        // The messages the holder has are renewed with it, so a kept session does not lose them one by one.
        foreach (var message in held.Held)
        {
            if (MessageSession.StillHeld(message) && !message.Entry.IsSettling && message.Entry.LockedUntil >= now
                && message.Entry.LockedUntil < lockedUntil)
            {
                _index.RenewLock(message.Entry, lockedUntil);
            }
        }

        return ValueTask.FromResult(lockedUntil);
    }

    public async Task ReleaseSessionAsync(SessionHandle session, CancellationToken cancellationToken = default)
    {
        var options = RequireEntity().Description.Options;
        var sessions = RequireSessions();
        if (session?.SessionId is null)
        {
            throw new LoireException(LoireErrorReason.InvalidArgument, "The session handle is missing.", Path);
        }

        if (sessions.Find(session.SessionId) is { IsLocked: true } held && held.LockToken == session.LockToken)
        {
            await ReleaseSessionLocksAsync([held], options.MaxDeliveryCount);
        }
    }

    public ValueTask<byte[]?> GetSessionStateAsync(SessionHandle session, CancellationToken cancellationToken = default)
    {
        RequireEntity();
        return ValueTask.FromResult(RequireHeldSession(session).State);
    }

    public async Task SetSessionStateAsync(SessionHandle session, byte[]? state, CancellationToken cancellationToken = default)
    {
        RequireEntity();
        var held = RequireHeldSession(session);
        var limit = brokerOptions.Value.MaxMessageSizeBytes;
        if (state is { Length: var length } && length > limit)
        {
            throw new LoireException(LoireErrorReason.MessageSizeExceeded,
                $"The session state is {length} bytes; the limit is {limit} bytes.", Path);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var batch = new StoreBatch();
        if (state is null)
        {
            if (held.StateKey == 0)
            {
                return;
            }

            batch.DeleteMessage(SessionStatePath, held.StateKey);
        }
        else
        {
            if (held.StateKey == 0)
            {
                held.StateKey = _nextSessionStateKey++;
            }

            batch.PutMessage(SessionStatePath, held.StateKey, codec.EncodeSessionState(new StoredSessionState(held.Id, state)), ReadOnlyMemory<byte>.Empty);
        }

        held.Pins++;
        try
        {
            await WriteAsync(batch, CancellationToken.None);
        }
        finally
        {
            held.Pins--;
        }

        // Writes are committed in the order they were issued, so applying them in completion order keeps memory in step.
        held.State = state;
        if (!held.IsLocked)
        {
            _index.Sessions?.Requeue(held);
        }
    }

    /// <summary>Hook (activation, before messages load): sets up the session index and loads session states.</summary>
    private async Task LoadSessionsAsync(CancellationToken cancellationToken)
    {
        ConfigureSessions();
        if (_index.Sessions is not { } sessions)
        {
            return;
        }

        var records = await store.LoadMessagesAsync(SessionStatePath, cancellationToken);
        foreach (var record in records)
        {
            var stored = codec.DecodeSessionState(record.Payload);
            var session = sessions.GetOrAdd(stored.SessionId);
            session.StateKey = record.SequenceNumber;
            session.State = stored.State;
            _nextSessionStateKey = Math.Max(_nextSessionStateKey, record.SequenceNumber + 1);
        }
    }

    /// <summary>Hook (creation, activation): a session entity files its available messages per session.</summary>
    private void ConfigureSessions()
    {
        _index.Sessions = _document?.Description.Options.RequiresSession == true ? new SessionIndex() : null;
        _nextSessionStateKey = 1;
    }

    /// <summary>Hook (plain receives): a session entity's own messages are only received through sessions.</summary>
    private void ThrowIfSessionBound(SubQueueKind subQueue)
    {
        if (_index.Sessions is not null && subQueue == SubQueueKind.None)
        {
            throw new LoireException(LoireErrorReason.InvalidArgument,
                $"'{Path}' requires sessions: receive its messages through a session receiver (AcceptNextSessionAsync or AcceptSessionAsync).", Path);
        }
    }

    /// <summary>Hook (timer): releases sessions whose lock ran out; true when any was.</summary>
    private async Task<bool> ExpireSessionLocksAsync(DateTimeOffset now, int maxDeliveryCount)
    {
        if (_index.Sessions?.TakeExpiredLocks(now) is not { } expired)
        {
            return false;
        }

        await ReleaseSessionLocksAsync(expired, maxDeliveryCount);
        return true;
    }

    /// <summary>Hook (<see cref="DispatchWaiters"/>): hands unlocked sessions to parked accepts and new messages to parked session receives.</summary>
    private void DispatchSessionWaiters(EntityOptions options)
    {
        if (_index.Sessions is not { } sessions)
        {
            return;
        }

        while (_sessionAcceptWaiters.First is { } node && sessions.TakeNextAcceptable() is { } session)
        {
            _sessionAcceptWaiters.RemoveFirst();
            node.Value.Complete(session, LockSession(session, options.LockDuration));
        }

        foreach (var session in sessions.TakeReady() ?? [])
        {
            while (session.IsLocked && session.Waiters.First is { } node)
            {
                var taken = TakeFromSession(session, node.Value.Request, options.LockDuration);
                if (taken.Count == 0)
                {
                    break;
                }

                session.Waiters.RemoveFirst();
                node.Value.Complete(taken);
            }
        }
    }

    /// <summary>Hook (<see cref="FailWaiters"/>: delete, deactivation): fails parked accepts and session receives.</summary>
    private void FailSessionWaiters(Func<Exception> error)
    {
        while (_sessionAcceptWaiters.First is { } node)
        {
            _sessionAcceptWaiters.RemoveFirst();
            node.Value.Fail(error());
        }

        foreach (var session in _index.Sessions?.Sessions ?? [])
        {
            FailSessionReceives(session, error);
        }
    }

    private AcceptedSession LockSession(MessageSession session, TimeSpan lockDuration)
    {
        var lockedUntil = time.GetUtcNow() + lockDuration;
        _index.Sessions!.Lock(session, Guid.NewGuid(), lockedUntil);

        // Session locks live in this activation: keep it from being collected while the lock may be in use.
        DelayDeactivation(lockDuration);
        EnsureTimer();
        return new AcceptedSession(session.Id, session.LockToken, lockedUntil);
    }

    /// <summary>Takes up to MaxMessages of the session's available messages, oldest first.</summary>
    private List<MessageEntry> TakeFromSession(MessageSession session, ReceiveRequest request, TimeSpan lockDuration)
    {
        if (!session.TryPeekAvailable(out _))
        {
            return [];
        }

        var now = time.GetUtcNow();
        var taken = new List<MessageEntry>(Math.Min(request.MaxMessages, 64));
        while (taken.Count < request.MaxMessages && session.TryTakeAvailable(out var entry))
        {
            _index.Withdraw(entry);
            if (QueueIndex.IsExpired(entry, now))
            {
                // As for plain receives: never hand out an expired message; the timer expires it.
                entry.IsSettling = true;
                _expiredBacklog.Add(entry);
                continue;
            }

            entry.DeliveryCount++;
            if (request.Mode == ReceiveModeKind.PeekLock)
            {
                var lockToken = NewLockToken();
                _index.Lock(entry, lockToken, now + lockDuration);
                session.AddHeld(entry, lockToken);
            }
            else
            {
                entry.IsSettling = true;
            }

            taken.Add(entry);
        }

        EnsureTimer();
        return taken;
    }

    private async Task<AcceptedSession?> WaitForSessionAsync(TimeSpan maxWaitTime, CancellationToken cancellationToken)
    {
        var waiter = new SessionAcceptWaiter();
        var node = _sessionAcceptWaiters.AddLast(waiter);
        using var timeout = ParkedWaitToken(cancellationToken);
        var delay = Task.Delay(maxWaitTime, timeout.Token);
        await Task.WhenAny(waiter.Task, delay);
        timeout.Cancel();

        if (!waiter.Task.IsCompleted)
        {
            _sessionAcceptWaiters.Remove(node);
            cancellationToken.ThrowIfCancellationRequested();
            return null;
        }

        var (session, accepted) = await waiter.Task;
        if (cancellationToken.IsCancellationRequested)
        {
            // The caller is gone: give the session back instead of letting its lock run out.
            if (_document is { } document && session.LockToken == accepted.LockToken)
            {
                await ReleaseSessionLocksAsync([session], document.Description.Options.MaxDeliveryCount);
            }

            cancellationToken.ThrowIfCancellationRequested();
        }

        return accepted;
    }

    private async Task<List<MessageEntry>> WaitForSessionMessagesAsync(MessageSession session, ReceiveRequest request, CancellationToken cancellationToken)
    {
        var waiter = new ReceiveWaiter(request);
        var node = session.Waiters.AddLast(waiter);
        using var timeout = ParkedWaitToken(cancellationToken);
        var delay = Task.Delay(request.MaxWaitTime, timeout.Token);
        await Task.WhenAny(waiter.Task, delay);
        timeout.Cancel();

        if (!waiter.Task.IsCompleted)
        {
            session.Waiters.Remove(node);
            cancellationToken.ThrowIfCancellationRequested();
            return [];
        }

        var taken = await waiter.Task;
        if (cancellationToken.IsCancellationRequested)
        {
            // The caller is gone: give the messages back untouched, at the head of the session (unless the session
            // was released meanwhile, which returned them already).
            foreach (var entry in taken)
            {
                var unsettledDelete = entry.IsSettling && !entry.IsLocked;
                var stillHeld = entry.IsLocked && !entry.IsSettling
                    && session.Held.Exists(held => ReferenceEquals(held.Entry, entry) && held.LockToken == entry.LockToken);
                if (unsettledDelete || stillHeld)
                {
                    entry.DeliveryCount--;
                    entry.IsSettling = false;
                    _index.Release(entry);
                }
            }

            DispatchWaiters();
            cancellationToken.ThrowIfCancellationRequested();
        }

        return taken;
    }

    /// <summary>
    /// Unlocks sessions and returns the messages they still hold (delivery counted, durably; those delivered
    /// MaxDeliveryCount times go to the dead-letter queue), then offers the sessions to the next receivers.
    /// </summary>
    private async Task ReleaseSessionLocksAsync(List<MessageSession> released, int maxDeliveryCount)
    {
        var sessions = _index.Sessions!;
        List<MessageEntry>? returned = null;
        foreach (var session in released)
        {
            foreach (var message in session.Held)
            {
                if (MessageSession.StillHeld(message) && !message.Entry.IsSettling)
                {
                    _index.Unlock(message.Entry);
                    (returned ??= []).Add(message.Entry);
                }
            }

            sessions.Unlock(session);
            FailSessionReceives(session, () => SessionLockLost(session.Id));
        }

        if (returned is not null)
        {
            await ReleaseExpiredLocksAsync(returned, maxDeliveryCount);
        }

        foreach (var session in released)
        {
            sessions.Requeue(session);
        }

        DispatchWaiters();
    }

    private static void FailSessionReceives(MessageSession session, Func<Exception> error)
    {
        while (session.Waiters.First is { } node)
        {
            session.Waiters.RemoveFirst();
            node.Value.Fail(error());
        }
    }

    private SessionIndex RequireSessions() => _index.Sessions ?? throw new LoireException(LoireErrorReason.InvalidArgument,
        $"'{Path}' does not require sessions; receive from it with a plain receiver (CreateReceiver).", Path);

    /// <summary>The session the handle holds; SessionLockLost when its lock expired, was released or was taken over.</summary>
    private MessageSession RequireHeldSession(SessionHandle handle)
    {
        var sessions = RequireSessions();
        if (handle?.SessionId is null)
        {
            throw new LoireException(LoireErrorReason.InvalidArgument, "The session handle is missing.", Path);
        }

        if (sessions.Find(handle.SessionId) is { IsLocked: true } session && session.LockToken == handle.LockToken
            && session.LockedUntil > time.GetUtcNow())
        {
            return session;
        }

        throw SessionLockLost(handle.SessionId);
    }

    private static bool IsOfSession(MessageEntry entry, MessageSession session) =>
        entry.SubQueue == SubQueueKind.None && string.Equals(SessionIndex.SessionOf(entry), session.Id, StringComparison.Ordinal);

    private void ValidateSessionId(string? sessionId)
    {
        if (string.IsNullOrEmpty(sessionId) || sessionId.Length > MaxSessionIdLength)
        {
            throw new LoireException(LoireErrorReason.InvalidArgument,
                $"A session id must have 1 to {MaxSessionIdLength} characters; got {sessionId?.Length ?? 0}.", Path);
        }
    }

    private LoireException SessionLockLost(string sessionId) => new(LoireErrorReason.SessionLockLost,
        $"The lock on session '{sessionId}' was lost: it expired, was released, or another receiver holds the session now.", Path);
}
