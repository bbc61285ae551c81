using Loire.Client.Internal;
using Loire.Messages;

namespace Loire.Client;

public partial class LoireSessionReceiver
{
    /// <summary>Completes a message of the session: the broker removes it.</summary>
    /// <param name="message">A message this receiver received in peek-lock mode.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException">
    /// <see cref="LoireErrorReason.SessionLockLost"/>: the session lock expired or was released (the receiver was closed);
    /// <see cref="LoireErrorReason.MessageLockLost"/>: the message's lock was lost or it was already settled.
    /// </exception>
    /// <exception cref="InvalidOperationException">The receiver is in receive-and-delete mode, or the message was peeked or came from another entity.</exception>
    public override Task CompleteMessageAsync(LoireReceivedMessage message, CancellationToken cancellationToken = default) =>
        base.CompleteMessageAsync(message, cancellationToken);

    /// <summary>Completes several messages of the session in one broker call.</summary>
    /// <param name="messages">Messages this receiver received in peek-lock mode. An empty sequence does nothing.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException">
    /// <see cref="LoireErrorReason.SessionLockLost"/>: nothing was completed;
    /// <see cref="LoireErrorReason.MessageLockLost"/>: some locks were lost; every other message was completed.
    /// </exception>
    /// <exception cref="InvalidOperationException">As for <see cref="CompleteMessageAsync"/>.</exception>
    public override Task CompleteMessagesAsync(IEnumerable<LoireReceivedMessage> messages, CancellationToken cancellationToken = default) =>
        base.CompleteMessagesAsync(messages, cancellationToken);

    /// <summary>Abandons a message: it goes back to the head of the session and is the next one received (its delivery count stays).</summary>
    /// <param name="message">A message this receiver received in peek-lock mode.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException">As for <see cref="CompleteMessageAsync"/>.</exception>
    /// <exception cref="InvalidOperationException">As for <see cref="CompleteMessageAsync"/>.</exception>
    public override Task AbandonMessageAsync(LoireReceivedMessage message, CancellationToken cancellationToken = default) =>
        base.AbandonMessageAsync(message, cancellationToken);

    /// <summary>Moves a message to the entity's dead-letter queue (which is not session-bound) without a reason.</summary>
    /// <param name="message">A message this receiver received in peek-lock mode.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException">As for <see cref="CompleteMessageAsync"/>.</exception>
    /// <exception cref="InvalidOperationException">As for <see cref="CompleteMessageAsync"/>.</exception>
    public override Task DeadLetterMessageAsync(LoireReceivedMessage message, CancellationToken cancellationToken = default) =>
        base.DeadLetterMessageAsync(message, cancellationToken);

    /// <summary>Moves a message to the entity's dead-letter queue, recording why.</summary>
    /// <param name="message">A message this receiver received in peek-lock mode.</param>
    /// <param name="deadLetterReason">Short reason, shown as <see cref="LoireReceivedMessage.DeadLetterReason"/>.</param>
    /// <param name="deadLetterErrorDescription">Longer description, shown as <see cref="LoireReceivedMessage.DeadLetterErrorDescription"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException">As for <see cref="CompleteMessageAsync"/>.</exception>
    /// <exception cref="InvalidOperationException">As for <see cref="CompleteMessageAsync"/>.</exception>
    public override Task DeadLetterMessageAsync(LoireReceivedMessage message, string deadLetterReason, string? deadLetterErrorDescription = null, CancellationToken cancellationToken = default) =>
        base.DeadLetterMessageAsync(message, deadLetterReason, deadLetterErrorDescription, cancellationToken);

    /// <summary>Defers a message: it stays in the session but is received only by sequence number (<see cref="ReceiveDeferredMessagesAsync"/>).</summary>
    /// <param name="message">A message this receiver received in peek-lock mode.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException">As for <see cref="CompleteMessageAsync"/>.</exception>
    /// <exception cref="InvalidOperationException">As for <see cref="CompleteMessageAsync"/>.</exception>
    public override Task DeferMessageAsync(LoireReceivedMessage message, CancellationToken cancellationToken = default) =>
        base.DeferMessageAsync(message, cancellationToken);

    /// <summary>Extends the lock of a message of the session by the entity's lock duration and updates <see cref="LoireReceivedMessage.LockedUntil"/>.</summary>
    /// <param name="message">A message this receiver received in peek-lock mode.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException">As for <see cref="CompleteMessageAsync"/>.</exception>
    /// <exception cref="InvalidOperationException">As for <see cref="CompleteMessageAsync"/>.</exception>
    public override Task RenewMessageLockAsync(LoireReceivedMessage message, CancellationToken cancellationToken = default) =>
        base.RenewMessageLockAsync(message, cancellationToken);

    /// <summary>Settles through the session, so the broker checks the session lock as well as the message locks.</summary>
    private protected override ValueTask<Guid[]> SettleCoreAsync(Settlement[] settlements, string operation, CancellationToken cancellationToken)
    {
        var path = _grainPath;
        var handle = _handle;
        return _client.Executor.ExecuteAsync(operation, EntityPath, RetryKind.WhenNotExecuted,
            (grains, ct) => grains.Queue(path).SettleSessionAsync(handle, settlements, ct), cancellationToken);
    }

    /// <summary>Renews message locks through the session, so the broker checks the session lock too.</summary>
    private protected override ValueTask<DateTimeOffset?[]> RenewLocksCoreAsync(Guid[] lockTokens, CancellationToken cancellationToken)
    {
        var path = _grainPath;
        var handle = _handle;
        return _client.Executor.ExecuteAsync("renew lock", EntityPath, RetryKind.Idempotent,
            (grains, ct) => grains.Queue(path).RenewSessionMessageLocksAsync(handle, lockTokens, ct), cancellationToken);
    }

    /// <summary>
    /// Deliberately no closed-receiver check up front: after close the receiver has released its session lock, so
    /// settling must report SessionLockLost (checked per message in <see cref="EnsureSettleable"/>), not a disposed receiver.
    /// </summary>
    private protected override void EnsureCanSettle()
    {
    }

    /// <summary>The session lock is checked before each message, as settling needs it.</summary>
    private protected override void EnsureSettleable(LoireReceivedMessage message)
    {
        ThrowIfSessionUnusable();
        base.EnsureSettleable(message);
    }

    private protected override LoireException LockLost(LoireReceivedMessage message) => new(
        LoireErrorReason.MessageLockLost,
        $"The lock of message {message.SequenceNumber} (lock token {message.LockToken}) of session '{_handle.SessionId}' was lost: it expired, or the message was already settled.",
        EntityPath);

    private protected override void OnPrefetchedLocksExpired(int count) =>
        LogPrefetchedLockExpired(_logger, count, _handle.SessionId, EntityPath);
}
