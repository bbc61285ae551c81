using Loire.Messages;

namespace Loire.Client;

public partial class LoireReceiver
{
    private long _nextPeekSequenceNumber;

    /// <summary>
    /// Looks at the next message without locking or removing it; null when there is none. Successive peeks continue
    /// after the last message peeked.
    /// </summary>
    /// <param name="fromSequenceNumber">Start here (inclusive) instead of after the last peeked message.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public virtual async Task<LoireReceivedMessage?> PeekMessageAsync(long? fromSequenceNumber = null, CancellationToken cancellationToken = default)
    {
        var messages = await PeekMessagesAsync(1, fromSequenceNumber, cancellationToken).ConfigureAwait(false);
        return messages.Count > 0 ? messages[0] : null;
    }

    /// <summary>
    /// Looks at up to <paramref name="maxMessages"/> messages (active, deferred and scheduled) without locking or
    /// removing them. Successive peeks continue after the last message peeked; an empty list means the end.
    /// </summary>
    /// <param name="maxMessages">Most messages to return; at least 1.</param>
    /// <param name="fromSequenceNumber">Start here (inclusive) instead of after the last peeked message.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <remarks>Peeked messages hold no lock and cannot be settled.</remarks>
    public virtual async Task<IReadOnlyList<LoireReceivedMessage>> PeekMessagesAsync(int maxMessages, long? fromSequenceNumber = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ThrowIfClosed();
        var from = fromSequenceNumber ?? Interlocked.Read(ref _nextPeekSequenceNumber);
        var delivered = await PeekCoreAsync(from, maxMessages, cancellationToken).ConfigureAwait(false);
        if (delivered.Length > 0)
        {
            var last = delivered.Max(m => m.Stored.SequenceNumber);
            Interlocked.Exchange(ref _nextPeekSequenceNumber, last + 1);
        }

        return WrapAll(delivered, locked: false);
    }

    /// <summary>Receives a deferred message by its sequence number.</summary>
    /// <param name="sequenceNumber">The sequence number of a message deferred with <see cref="DeferMessageAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessageNotFound"/>: no deferred message has that number.</exception>
    public virtual async Task<LoireReceivedMessage> ReceiveDeferredMessageAsync(long sequenceNumber, CancellationToken cancellationToken = default)
    {
        var messages = await ReceiveDeferredMessagesAsync([sequenceNumber], cancellationToken).ConfigureAwait(false);
        return messages.Count > 0
            ? messages[0]
            : throw new LoireException(LoireErrorReason.MessageNotFound, $"No deferred message has sequence number {sequenceNumber}.", _entityPath);
    }

    /// <summary>Receives deferred messages by their sequence numbers, in one call. An empty sequence returns an empty list.</summary>
    /// <param name="sequenceNumbers">Sequence numbers of deferred messages.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessageNotFound"/>: one of them is not a deferred message here.</exception>
    /// <remarks>In peek-lock mode the messages come locked and must be settled like any other.</remarks>
    public virtual async Task<IReadOnlyList<LoireReceivedMessage>> ReceiveDeferredMessagesAsync(IEnumerable<long> sequenceNumbers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sequenceNumbers);
        ThrowIfClosed();
        var numbers = sequenceNumbers.Distinct().ToArray();
        if (numbers.Length == 0)
        {
            return [];
        }

        var delivered = await ReceiveDeferredCoreAsync(numbers, cancellationToken).ConfigureAwait(false);
        return WrapAll(delivered, locked: _receiveMode == LoireReceiveMode.PeekLock);
    }

    /// <summary>One peek call to the broker; a session receiver peeks its session.</summary>
    private protected virtual ValueTask<DeliveredMessage[]> PeekCoreAsync(long fromSequenceNumber, int maxMessages, CancellationToken cancellationToken) =>
        PeekOnPartitionsAsync(fromSequenceNumber, maxMessages, cancellationToken);

    /// <summary>One call receiving deferred messages by sequence number; a session receiver receives them from its session.</summary>
    private protected virtual ValueTask<DeliveredMessage[]> ReceiveDeferredCoreAsync(long[] sequenceNumbers, CancellationToken cancellationToken) =>
        ReceiveDeferredOnPartitionsAsync(sequenceNumbers, cancellationToken);
}
