using Loire.Messages;

namespace Loire.Client;

public partial class LoireReceiver
{
    /// <summary>Completes a message: the broker removes it.</summary>
    /// <param name="message">A message this receiver (or one for the same entity) received in peek-lock mode.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessageLockLost"/>: the lock expired or the message was already settled.</exception>
    /// <exception cref="InvalidOperationException">The receiver is in receive-and-delete mode, or the message was peeked or came from another entity.</exception>
    /// <remarks>
    /// Retried only when the broker provably did not get the first attempt: a retried complete whose first attempt
    /// succeeded would report <see cref="LoireErrorReason.MessageLockLost"/>.
    /// </remarks>
    public virtual Task CompleteMessageAsync(LoireReceivedMessage message, CancellationToken cancellationToken = default) =>
        SettleAsync(message, SettlementKind.Complete, null, null, "complete", cancellationToken);

    /// <summary>Completes several messages in one broker call.</summary>
    /// <param name="messages">Messages received in peek-lock mode from this receiver's entity. An empty sequence does nothing.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException">
    /// <see cref="LoireErrorReason.MessageLockLost"/>: some locks were lost; every other message was completed.
    /// </exception>
    /// <exception cref="InvalidOperationException">As for <see cref="CompleteMessageAsync"/>.</exception>
    public virtual async Task CompleteMessagesAsync(IEnumerable<LoireReceivedMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        EnsureCanSettle();
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

        var settlements = batch.Select(m => new Settlement(m.LockTokenGuid, SettlementKind.Complete)).ToArray();
        var lost = await SettleCoreAsync(settlements, "complete", cancellationToken).ConfigureAwait(false);
        if (lost.Length > 0)
        {
            var lostSet = lost.ToHashSet();
            var sequenceNumbers = string.Join(", ", batch.Where(m => lostSet.Contains(m.LockTokenGuid)).Select(m => m.SequenceNumber));
            throw new LoireException(LoireErrorReason.MessageLockLost,
                $"{lost.Length} of {batch.Count} messages could not be completed because their locks were lost (sequence numbers {sequenceNumbers}); the others were completed.",
                _entityPath);
        }
    }

    /// <summary>Abandons a message: its lock is released and it can be delivered again (its delivery count stays).</summary>
    /// <param name="message">A message received in peek-lock mode.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessageLockLost"/>: the lock was already lost.</exception>
    /// <exception cref="InvalidOperationException">As for <see cref="CompleteMessageAsync"/>.</exception>
    public virtual Task AbandonMessageAsync(LoireReceivedMessage message, CancellationToken cancellationToken = default) =>
        SettleAsync(message, SettlementKind.Abandon, null, null, "abandon", cancellationToken);

    /// <summary>Moves a message to the dead-letter queue without a reason.</summary>
    /// <param name="message">A message received in peek-lock mode.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessageLockLost"/>: the lock was already lost.</exception>
    /// <exception cref="InvalidOperationException">As for <see cref="CompleteMessageAsync"/>.</exception>
    public virtual Task DeadLetterMessageAsync(LoireReceivedMessage message, CancellationToken cancellationToken = default) =>
        SettleAsync(message, SettlementKind.DeadLetter, null, null, "dead-letter", cancellationToken);

    /// <summary>Moves a message to the dead-letter queue, recording why.</summary>
    /// <param name="message">A message received in peek-lock mode.</param>
    /// <param name="deadLetterReason">Short reason, shown as <see cref="LoireReceivedMessage.DeadLetterReason"/>.</param>
    /// <param name="deadLetterErrorDescription">Longer description, shown as <see cref="LoireReceivedMessage.DeadLetterErrorDescription"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessageLockLost"/>: the lock was already lost.</exception>
    /// <exception cref="InvalidOperationException">As for <see cref="CompleteMessageAsync"/>.</exception>
    public virtual Task DeadLetterMessageAsync(LoireReceivedMessage message, string deadLetterReason, string? deadLetterErrorDescription = null, CancellationToken cancellationToken = default) =>
        SettleAsync(message, SettlementKind.DeadLetter, deadLetterReason, deadLetterErrorDescription, "dead-letter", cancellationToken);

    /// <summary>
    /// Defers a message: it stays in the entity but is delivered only by
    /// <see cref="ReceiveDeferredMessageAsync"/> with its sequence number.
    /// </summary>
    /// <param name="message">A message received in peek-lock mode.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessageLockLost"/>: the lock was already lost.</exception>
    /// <exception cref="InvalidOperationException">As for <see cref="CompleteMessageAsync"/>.</exception>
    public virtual Task DeferMessageAsync(LoireReceivedMessage message, CancellationToken cancellationToken = default) =>
        SettleAsync(message, SettlementKind.Defer, null, null, "defer", cancellationToken);

    /// <summary>Extends the lock of a message by the entity's lock duration and updates <see cref="LoireReceivedMessage.LockedUntil"/>.</summary>
    /// <param name="message">A message received in peek-lock mode.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessageLockLost"/>: the lock already expired or the message was settled.</exception>
    /// <exception cref="InvalidOperationException">As for <see cref="CompleteMessageAsync"/>.</exception>
    public virtual async Task RenewMessageLockAsync(LoireReceivedMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        EnsureCanSettle();
        EnsureSettleable(message);
        var renewed = await RenewLocksCoreAsync([message.LockTokenGuid], cancellationToken).ConfigureAwait(false);
        if (renewed.Length == 0 || renewed[0] is not { } lockedUntil)
        {
            throw LockLost(message);
        }

        message.LockedUntil = lockedUntil;
    }

    private async Task SettleAsync(LoireReceivedMessage message, SettlementKind kind, string? reason, string? description, string operation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        EnsureCanSettle();
        EnsureSettleable(message);
        var lost = await SettleCoreAsync([new Settlement(message.LockTokenGuid, kind, reason, description)], operation, cancellationToken).ConfigureAwait(false);
        if (lost.Length > 0)
        {
            throw LockLost(message);
        }
    }

    /// <summary>Settles messages on the broker; returns the lock tokens whose locks were lost.</summary>
    private protected virtual ValueTask<Guid[]> SettleCoreAsync(Settlement[] settlements, string operation, CancellationToken cancellationToken) =>
        SettleOnPartitionsAsync(settlements, operation, cancellationToken);

    /// <summary>Renews message locks on the broker; null where a lock was lost.</summary>
    private protected virtual ValueTask<DateTimeOffset?[]> RenewLocksCoreAsync(Guid[] lockTokens, CancellationToken cancellationToken) =>
        RenewLocksOnPartitionsAsync(lockTokens, cancellationToken);

    /// <summary>
    /// Checked once before a settlement or lock renewal. A session receiver checks its session lock per message in
    /// <see cref="EnsureSettleable"/> instead: once closed it has released that lock, and settling must report
    /// <see cref="LoireErrorReason.SessionLockLost"/> rather than a disposed receiver.
    /// </summary>
    private protected virtual void EnsureCanSettle() => ThrowIfClosed();

    /// <summary>Refuses messages this receiver cannot settle; a session receiver also checks its session lock first.</summary>
    private protected virtual void EnsureSettleable(LoireReceivedMessage message)
    {
        if (_receiveMode == LoireReceiveMode.ReceiveAndDelete)
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
                $"Message {message.SequenceNumber} was received from '{message.SourceEntityPath}'; settle it with a receiver for that entity, not '{_entityPath}'.");
        }
    }

    /// <summary>The error for one message whose lock was lost; a session receiver names its session in it.</summary>
    private protected virtual LoireException LockLost(LoireReceivedMessage message) => new(
        LoireErrorReason.MessageLockLost,
        $"The lock of message {message.SequenceNumber} (lock token {message.LockToken}) was lost: it expired, or the message was already settled.",
        _entityPath);
}
