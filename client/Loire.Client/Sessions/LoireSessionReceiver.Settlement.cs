using Loire.Client.Internal;
using Loire.Messages;

namespace Loire.Client;

public partial class LoireSessionReceiver
{
    /// <summary>A prefetched message is handed out only while more than this much of its lock is left.</summary>
    private static readonly TimeSpan MaxLockSafetyMargin = TimeSpan.FromSeconds(2);

    private readonly Queue<LoireReceivedMessage> _prefetched = new();
    private long _nextPeekSequenceNumber;

    private ReceiveModeKind ModeKind => ReceiveMode == LoireReceiveMode.ReceiveAndDelete ? ReceiveModeKind.ReceiveAndDelete : ReceiveModeKind.PeekLock;

    private bool PrefetchEnabled => PrefetchCount > 0 && ReceiveMode == LoireReceiveMode.PeekLock;

    /// <summary>Completes a message of the session: the broker removes it.</summary>
    /// <param name="message">A message this receiver received in peek-lock mode.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException">
    /// <see cref="LoireErrorReason.SessionLockLost"/>: the session lock expired or was released (the receiver was closed);
    /// <see cref="LoireErrorReason.MessageLockLost"/>: the message's lock was lost or it was already settled.
    /// </exception>
    /// <exception cref="InvalidOperationException">The receiver is in receive-and-delete mode, or the message was peeked or came from another entity.</exception>
    public override Task CompleteMessageAsync(LoireReceivedMessage message, CancellationToken cancellationToken = default) =>
        SettleOneAsync(message, SettlementKind.Complete, null, null, "complete", cancellationToken);

    /// <summary>Completes several messages of the session in one broker call.</summary>
    /// <param name="messages">Messages this receiver received in peek-lock mode. An empty sequence does nothing.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException">
    /// <see cref="LoireErrorReason.SessionLockLost"/>: nothing was completed;
    /// <see cref="LoireErrorReason.MessageLockLost"/>: some locks were lost; every other message was completed.
    /// </exception>
    /// <exception cref="InvalidOperationException">As for <see cref="CompleteMessageAsync"/>.</exception>
    public override async Task CompleteMessagesAsync(IEnumerable<LoireReceivedMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var batch = new List<LoireReceivedMessage>();
        var tokens = new HashSet<Guid>();
        foreach (var message in messages)
        {
            ArgumentNullException.ThrowIfNull(message, nameof(messages));
            EnsureSettleable(message);
            if (tokens.Add(message.LockTokenGuid))
            {
                batch.Add(message);
            }
        }

        if (batch.Count == 0)
        {
            return;
        }

        var lost = await SettleCoreAsync(batch.Select(m => new Settlement(m.LockTokenGuid, SettlementKind.Complete)).ToArray(), "complete", cancellationToken)
            .ConfigureAwait(false);
        if (lost.Length > 0)
        {
            var lostSet = lost.ToHashSet();
            var sequenceNumbers = string.Join(", ", batch.Where(m => lostSet.Contains(m.LockTokenGuid)).Select(m => m.SequenceNumber));
            throw new LoireException(LoireErrorReason.MessageLockLost,
                $"{lost.Length} of {batch.Count} messages could not be completed because their locks were lost (sequence numbers {sequenceNumbers}); the others were completed.",
                EntityPath);
        }
    }

    /// <summary>Abandons a message: it goes back to the head of the session and is the next one received (its delivery count stays).</summary>
    /// <param name="message">A message this receiver received in peek-lock mode.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException">As for <see cref="CompleteMessageAsync"/>.</exception>
    /// <exception cref="InvalidOperationException">As for <see cref="CompleteMessageAsync"/>.</exception>
    public override Task AbandonMessageAsync(LoireReceivedMessage message, CancellationToken cancellationToken = default) =>
        SettleOneAsync(message, SettlementKind.Abandon, null, null, "abandon", cancellationToken);

    /// <summary>Moves a message to the entity's dead-letter queue (which is not session-bound) without a reason.</summary>
    /// <param name="message">A message this receiver received in peek-lock mode.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException">As for <see cref="CompleteMessageAsync"/>.</exception>
    /// <exception cref="InvalidOperationException">As for <see cref="CompleteMessageAsync"/>.</exception>
    public override Task DeadLetterMessageAsync(LoireReceivedMessage message, CancellationToken cancellationToken = default) =>
        SettleOneAsync(message, SettlementKind.DeadLetter, null, null, "dead-letter", cancellationToken);

    /// <summary>Moves a message to the entity's dead-letter queue, recording why.</summary>
    /// <param name="message">A message this receiver received in peek-lock mode.</param>
    /// <param name="deadLetterReason">Short reason, shown as <see cref="LoireReceivedMessage.DeadLetterReason"/>.</param>
    /// <param name="deadLetterErrorDescription">Longer description, shown as <see cref="LoireReceivedMessage.DeadLetterErrorDescription"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException">As for <see cref="CompleteMessageAsync"/>.</exception>
    /// <exception cref="InvalidOperationException">As for <see cref="CompleteMessageAsync"/>.</exception>
    public override Task DeadLetterMessageAsync(LoireReceivedMessage message, string deadLetterReason, string? deadLetterErrorDescription = null, CancellationToken cancellationToken = default) =>
        SettleOneAsync(message, SettlementKind.DeadLetter, deadLetterReason, deadLetterErrorDescription, "dead-letter", cancellationToken);

    /// <summary>Defers a message: it stays in the session but is received only by sequence number (<see cref="ReceiveDeferredMessagesAsync"/>).</summary>
    /// <param name="message">A message this receiver received in peek-lock mode.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException">As for <see cref="CompleteMessageAsync"/>.</exception>
    /// <exception cref="InvalidOperationException">As for <see cref="CompleteMessageAsync"/>.</exception>
    public override Task DeferMessageAsync(LoireReceivedMessage message, CancellationToken cancellationToken = default) =>
        SettleOneAsync(message, SettlementKind.Defer, null, null, "defer", cancellationToken);

    /// <summary>Extends the lock of a message of the session by the entity's lock duration and updates <see cref="LoireReceivedMessage.LockedUntil"/>.</summary>
    /// <param name="message">A message this receiver received in peek-lock mode.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException">As for <see cref="CompleteMessageAsync"/>.</exception>
    /// <exception cref="InvalidOperationException">As for <see cref="CompleteMessageAsync"/>.</exception>
    public override async Task RenewMessageLockAsync(LoireReceivedMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        EnsureSettleable(message);
        var path = _grainPath;
        var handle = _handle;
        Guid[] tokens = [message.LockTokenGuid];
        var renewed = await _client.Executor.ExecuteAsync("renew lock", EntityPath, RetryKind.Idempotent,
            (grains, ct) => grains.Queue(path).RenewSessionMessageLocksAsync(handle, tokens, ct), cancellationToken).ConfigureAwait(false);
        if (renewed.Length == 0 || renewed[0] is not { } lockedUntil)
        {
            throw LockLost(message);
        }

        message.LockedUntil = lockedUntil;
    }

    private async Task SettleOneAsync(LoireReceivedMessage message, SettlementKind kind, string? reason, string? description, string operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        EnsureSettleable(message);
        var lost = await SettleCoreAsync([new Settlement(message.LockTokenGuid, kind, reason, description)], operation, cancellationToken).ConfigureAwait(false);
        if (lost.Length > 0)
        {
            throw LockLost(message);
        }
    }

    private ValueTask<Guid[]> SettleCoreAsync(Settlement[] settlements, string operation, CancellationToken cancellationToken)
    {
        var path = _grainPath;
        var handle = _handle;
        return _client.Executor.ExecuteAsync(operation, EntityPath, RetryKind.WhenNotExecuted,
            (grains, ct) => grains.Queue(path).SettleSessionAsync(handle, settlements, ct), cancellationToken);
    }

    private void EnsureSettleable(LoireReceivedMessage message)
    {
        ThrowIfSessionUnusable();
        if (ReceiveMode == LoireReceiveMode.ReceiveAndDelete)
        {
            throw new InvalidOperationException(
                "This receiver is in ReceiveAndDelete mode: its messages were removed when they were delivered and cannot be settled.");
        }

        if (!message.IsLocked)
        {
            throw new InvalidOperationException(
                $"Message {message.SequenceNumber} holds no lock (it was peeked, or received in ReceiveAndDelete mode); only messages received in PeekLock mode can be settled.");
        }

        if (!string.Equals(message.SourceEntityPath, _grainPath, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"Message {message.SequenceNumber} was received from '{message.SourceEntityPath}'; settle it with a receiver for that entity, not '{EntityPath}'.");
        }
    }

    private LoireException LockLost(LoireReceivedMessage message) => new(
        LoireErrorReason.MessageLockLost,
        $"The lock of message {message.SequenceNumber} (lock token {message.LockToken}) of session '{_handle.SessionId}' was lost: it expired, or the message was already settled.",
        EntityPath);

    /// <summary>Hands out what one broker call returned: up to <paramref name="maxMessages"/> now, the rest into the prefetch buffer.</summary>
    private List<LoireReceivedMessage> Deliver(DeliveredMessage[] delivered, int maxMessages)
    {
        var messages = WrapAll(delivered, locked: ReceiveMode == LoireReceiveMode.PeekLock);
        if (messages.Count <= maxMessages)
        {
            return messages;
        }

        lock (_prefetched)
        {
            for (var i = maxMessages; i < messages.Count; i++)
            {
                _prefetched.Enqueue(messages[i]);
            }
        }

        messages.RemoveRange(maxMessages, messages.Count - maxMessages);
        return messages;
    }

    /// <summary>Takes up to <paramref name="maxMessages"/> prefetched messages whose locks are safely alive; drops the others.</summary>
    private List<LoireReceivedMessage> TakePrefetched(int maxMessages)
    {
        var taken = new List<LoireReceivedMessage>();
        if (!PrefetchEnabled)
        {
            return taken;
        }

        var now = _client.TimeProvider.GetUtcNow();
        var dropped = 0;
        lock (_prefetched)
        {
            while (taken.Count < maxMessages && _prefetched.TryDequeue(out var message))
            {
                var lockSpan = message.LockedUntil - message.ReceivedAt;
                var quarter = TimeSpan.FromTicks(Math.Max(0, lockSpan.Ticks / 4));
                var margin = quarter < MaxLockSafetyMargin ? quarter : MaxLockSafetyMargin;
                if (message.LockedUntil - now > margin)
                {
                    taken.Add(message);
                }
                else
                {
                    dropped++;
                }
            }
        }

        if (dropped > 0)
        {
            LogPrefetchedLockExpired(_logger, dropped, _handle.SessionId, EntityPath);
        }

        return taken;
    }

    /// <summary>Forgets prefetched messages; releasing the session returns them to the broker.</summary>
    private void ClearPrefetched()
    {
        lock (_prefetched)
        {
            _prefetched.Clear();
        }
    }

    private List<LoireReceivedMessage> WrapAll(DeliveredMessage[] delivered, bool locked)
    {
        var now = _client.TimeProvider.GetUtcNow();
        var messages = new List<LoireReceivedMessage>(delivered.Length);
        foreach (var message in delivered)
        {
            messages.Add(new LoireReceivedMessage(message, _grainPath, locked, now));
        }

        return messages;
    }
}
