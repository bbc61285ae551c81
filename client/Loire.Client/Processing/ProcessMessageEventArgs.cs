namespace Loire.Client;

/// <summary>
/// What <see cref="LoireProcessor.ProcessMessageAsync"/> gets: one message, a token that signals the processor is
/// stopping, and the operations that settle the message. A message the handler settles itself is not settled again
/// by the processor.
/// </summary>
public sealed class ProcessMessageEventArgs : EventArgs
{
    private const int Unsettled = 0;
    private const int Settling = 1;
    private const int Settled = 2;

    private readonly LoireReceiver _receiver;
    private int _settleState;

    internal ProcessMessageEventArgs(LoireReceivedMessage message, LoireReceiver receiver, string entityPath, CancellationToken cancellationToken)
    {
        Message = message;
        _receiver = receiver;
        EntityPath = entityPath;
        CancellationToken = cancellationToken;
    }

    /// <summary>The message to process.</summary>
    public LoireReceivedMessage Message { get; }

    /// <summary>The queue or subscription the message came from (path as in <see cref="LoireProcessor.EntityPath"/>).</summary>
    public string EntityPath { get; }

    /// <summary>
    /// Cancelled when the processor is stopping. Stopping waits for running handlers, so a handler should finish (or
    /// give up) soon after this is cancelled; a message it leaves unsettled then is completed or abandoned as usual.
    /// </summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>True while a settlement is on its way or once it is done; lock renewal then stops.</summary>
    internal bool IsSettlingOrSettled => Volatile.Read(ref _settleState) != Unsettled;

    /// <summary>Completes the message: the broker removes it.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessageLockLost"/>: the lock expired or the message was already settled.</exception>
    /// <exception cref="InvalidOperationException">The processor is in <see cref="LoireReceiveMode.ReceiveAndDelete"/> mode.</exception>
    public Task CompleteMessageAsync(CancellationToken cancellationToken = default) =>
        CompleteMessageAsync(Message, cancellationToken);

    /// <summary>Completes the message (the overload shaped like Azure Service Bus); <paramref name="message"/> must be <see cref="Message"/>.</summary>
    /// <param name="message">The message these arguments carry.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException"><paramref name="message"/> is not the message being processed.</exception>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessageLockLost"/>: the lock expired or the message was already settled.</exception>
    public Task CompleteMessageAsync(LoireReceivedMessage message, CancellationToken cancellationToken = default)
    {
        EnsureThisMessage(message);
        return SettleAsync(() => _receiver.CompleteMessageAsync(message, cancellationToken));
    }

    /// <summary>Abandons the message: its lock is released and it is delivered again.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessageLockLost"/>: the lock was already lost.</exception>
    public Task AbandonMessageAsync(CancellationToken cancellationToken = default) =>
        AbandonMessageAsync(Message, cancellationToken);

    /// <summary>Abandons the message; <paramref name="message"/> must be <see cref="Message"/>.</summary>
    /// <param name="message">The message these arguments carry.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException"><paramref name="message"/> is not the message being processed.</exception>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessageLockLost"/>: the lock was already lost.</exception>
    public Task AbandonMessageAsync(LoireReceivedMessage message, CancellationToken cancellationToken = default)
    {
        EnsureThisMessage(message);
        return SettleAsync(() => _receiver.AbandonMessageAsync(message, cancellationToken));
    }

    /// <summary>Moves the message to the dead-letter queue, recording why.</summary>
    /// <param name="deadLetterReason">Short reason, shown as <see cref="LoireReceivedMessage.DeadLetterReason"/>.</param>
    /// <param name="deadLetterErrorDescription">Longer description, shown as <see cref="LoireReceivedMessage.DeadLetterErrorDescription"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessageLockLost"/>: the lock was already lost.</exception>
    public Task DeadLetterMessageAsync(string deadLetterReason, string? deadLetterErrorDescription = null, CancellationToken cancellationToken = default) =>
        DeadLetterMessageAsync(Message, deadLetterReason, deadLetterErrorDescription, cancellationToken);

    /// <summary>Moves the message to the dead-letter queue without a reason; <paramref name="message"/> must be <see cref="Message"/>.</summary>
    /// <param name="message">The message these arguments carry.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException"><paramref name="message"/> is not the message being processed.</exception>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessageLockLost"/>: the lock was already lost.</exception>
    public Task DeadLetterMessageAsync(LoireReceivedMessage message, CancellationToken cancellationToken = default)
    {
        EnsureThisMessage(message);
        return SettleAsync(() => _receiver.DeadLetterMessageAsync(message, cancellationToken));
    }

    /// <summary>Moves the message to the dead-letter queue, recording why; <paramref name="message"/> must be <see cref="Message"/>.</summary>
    /// <param name="message">The message these arguments carry.</param>
    /// <param name="deadLetterReason">Short reason, shown as <see cref="LoireReceivedMessage.DeadLetterReason"/>.</param>
    /// <param name="deadLetterErrorDescription">Longer description, shown as <see cref="LoireReceivedMessage.DeadLetterErrorDescription"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException"><paramref name="message"/> is not the message being processed.</exception>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessageLockLost"/>: the lock was already lost.</exception>
    public Task DeadLetterMessageAsync(LoireReceivedMessage message, string deadLetterReason, string? deadLetterErrorDescription = null, CancellationToken cancellationToken = default)
    {
        EnsureThisMessage(message);
        return SettleAsync(() => _receiver.DeadLetterMessageAsync(message, deadLetterReason, deadLetterErrorDescription, cancellationToken));
    }

    /// <summary>Defers the message: it stays in the entity but is delivered only when received by its sequence number.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessageLockLost"/>: the lock was already lost.</exception>
    public Task DeferMessageAsync(CancellationToken cancellationToken = default) =>
        DeferMessageAsync(Message, cancellationToken);

    /// <summary>Defers the message; <paramref name="message"/> must be <see cref="Message"/>.</summary>
    /// <param name="message">The message these arguments carry.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException"><paramref name="message"/> is not the message being processed.</exception>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessageLockLost"/>: the lock was already lost.</exception>
    public Task DeferMessageAsync(LoireReceivedMessage message, CancellationToken cancellationToken = default)
    {
        EnsureThisMessage(message);
        return SettleAsync(() => _receiver.DeferMessageAsync(message, cancellationToken));
    }

    /// <summary>
    /// Extends the lock now and updates <see cref="LoireReceivedMessage.LockedUntil"/>. Rarely needed: the processor
    /// renews locks by itself for up to <see cref="LoireProcessorOptions.MaxAutoLockRenewalDuration"/>.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessageLockLost"/>: the lock already expired or the message was settled.</exception>
    public Task RenewMessageLockAsync(CancellationToken cancellationToken = default) =>
        RenewMessageLockAsync(Message, cancellationToken);

    /// <summary>Extends the lock now; <paramref name="message"/> must be <see cref="Message"/>.</summary>
    /// <param name="message">The message these arguments carry.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException"><paramref name="message"/> is not the message being processed.</exception>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessageLockLost"/>: the lock already expired or the message was settled.</exception>
    public Task RenewMessageLockAsync(LoireReceivedMessage message, CancellationToken cancellationToken = default)
    {
        EnsureThisMessage(message);
        return _receiver.RenewMessageLockAsync(message, cancellationToken);
    }

    /// <summary>Marks the message settled by the processor itself (so late settlements by the handler are told apart).</summary>
    internal void MarkSettled() => Volatile.Write(ref _settleState, Settled);

    private async Task SettleAsync(Func<Task> settle)
    {
        // Announce the settlement first, so lock renewal stops and does not report the lock this call releases.
        Interlocked.CompareExchange(ref _settleState, Settling, Unsettled);
        try
        {
            await settle().ConfigureAwait(false);
            MarkSettled();
        }
        catch (LoireException exception) when (exception.Reason == LoireErrorReason.MessageLockLost)
        {
            // Nothing can settle this delivery any more; the processor must not try again.
            MarkSettled();
            throw;
        }
        catch
        {
            Interlocked.CompareExchange(ref _settleState, Unsettled, Settling);
            throw;
        }
    }

    private void EnsureThisMessage(LoireReceivedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!ReferenceEquals(message, Message))
        {
            throw new ArgumentException(
                $"These arguments settle message {Message.SequenceNumber} only; message {message.SequenceNumber} was given.", nameof(message));
        }
    }
}
