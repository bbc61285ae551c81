using Loire.Client.Internal;
using Loire.Entities;
using Loire.Messages;

namespace Loire.Client.Administration;

public partial class LoireAdministrationClient
{
    /// <summary>Deletes every message of a queue, or of its dead-letter queue.</summary>
    /// <param name="queueName">The queue's path.</param>
    /// <param name="subQueue"><see cref="SubQueue.None"/> for the queue itself (active, locked, deferred and scheduled messages), <see cref="SubQueue.DeadLetter"/> for its dead-letter queue.</param>
    /// <param name="cancellationToken">Cancels the call (messages already purged stay purged).</param>
    /// <returns>How many messages were deleted.</returns>
    /// <remarks>
    /// Locked messages are purged too: their receivers' settlements then fail with <see cref="LoireErrorReason.MessageLockLost"/>.
    /// Messages that are being settled, expired or forwarded at that very moment are left alone, and messages that
    /// arrive while the purge runs are kept. Not retried after a timeout, since a second attempt would delete later messages.
    /// </remarks>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessagingEntityNotFound"/>.</exception>
    public virtual async Task<long> PurgeMessagesAsync(string queueName, SubQueue subQueue = SubQueue.None, CancellationToken cancellationToken = default)
    {
        EntityPath.ValidateQueueOrTopic(queueName);
        return await PurgeCoreAsync(queueName, subQueue, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes every message of a subscription, or of its dead-letter queue.</summary>
    /// <param name="topicName">The topic's path.</param>
    /// <param name="subscriptionName">The subscription's name.</param>
    /// <param name="subQueue"><see cref="SubQueue.None"/> for the subscription itself, <see cref="SubQueue.DeadLetter"/> for its dead-letter queue.</param>
    /// <param name="cancellationToken">Cancels the call (messages already purged stay purged).</param>
    /// <returns>How many messages were deleted.</returns>
    /// <remarks>As for <see cref="PurgeMessagesAsync(string, SubQueue, CancellationToken)"/>.</remarks>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessagingEntityNotFound"/>.</exception>
    public virtual async Task<long> PurgeMessagesAsync(string topicName, string subscriptionName, SubQueue subQueue = SubQueue.None,
        CancellationToken cancellationToken = default)
    {
        var path = ValidateSubscription(topicName, subscriptionName);
        return await PurgeCoreAsync(path, subQueue, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Moves dead-lettered messages of a queue back into it as fresh active messages: delivery count 0, dead-letter
    /// reason and description cleared, same sequence number.
    /// </summary>
    /// <param name="queueName">The queue's path.</param>
    /// <param name="sequenceNumbers">The dead letters to move; null (the default) for all of them. Numbers that are not in the dead-letter queue are ignored.</param>
    /// <param name="cancellationToken">Cancels the call (messages already moved stay moved).</param>
    /// <returns>How many messages were moved.</returns>
    /// <remarks>
    /// Each message moves atomically (a state change, not a copy). A dead letter locked by a receiver at that moment
    /// stays where it is; an expired one gets a new time to live from now, or it would expire again at once.
    /// </remarks>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessagingEntityNotFound"/>.</exception>
    public virtual async Task<long> ResubmitDeadLetterMessagesAsync(string queueName, IEnumerable<long>? sequenceNumbers = null,
        CancellationToken cancellationToken = default)
    {
        EntityPath.ValidateQueueOrTopic(queueName);
        return await ResubmitCoreAsync(queueName, sequenceNumbers, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Moves dead-lettered messages of a subscription back into it as fresh active messages.</summary>
    /// <param name="topicName">The topic's path.</param>
    /// <param name="subscriptionName">The subscription's name.</param>
    /// <param name="sequenceNumbers">The dead letters to move; null (the default) for all of them. Numbers that are not in the dead-letter queue are ignored.</param>
    /// <param name="cancellationToken">Cancels the call (messages already moved stay moved).</param>
    /// <returns>How many messages were moved.</returns>
    /// <remarks>As for <see cref="ResubmitDeadLetterMessagesAsync(string, IEnumerable{long}?, CancellationToken)"/>.</remarks>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessagingEntityNotFound"/>.</exception>
    public virtual async Task<long> ResubmitDeadLetterMessagesAsync(string topicName, string subscriptionName, IEnumerable<long>? sequenceNumbers = null,
        CancellationToken cancellationToken = default)
    {
        var path = ValidateSubscription(topicName, subscriptionName);
        return await ResubmitCoreAsync(path, sequenceNumbers, cancellationToken).ConfigureAwait(false);
    }

    private async Task<long> PurgeCoreAsync(string path, SubQueue subQueue, CancellationToken cancellationToken)
    {
        var kind = subQueue switch
        {
            SubQueue.None => SubQueueKind.None,
            SubQueue.DeadLetter => SubQueueKind.DeadLetter,
            _ => throw Validation.Invalid($"Unknown sub-queue {subQueue}.", path),
        };
        return await Executor.ExecuteAsync("purge messages", path, RetryKind.WhenNotExecuted,
            (grains, ct) => grains.Queue(path).PurgeAsync(kind, ct), cancellationToken).ConfigureAwait(false);
    }

    private async Task<long> ResubmitCoreAsync(string path, IEnumerable<long>? sequenceNumbers, CancellationToken cancellationToken)
    {
        var numbers = sequenceNumbers?.ToArray();
        if (numbers is { Length: 0 })
        {
            // Nothing named, nothing to move; null is the way to ask for all.
            return 0;
        }

        return await Executor.ExecuteAsync("resubmit dead letters", path, RetryKind.WhenNotExecuted,
            (grains, ct) => grains.Queue(path).ResubmitDeadLettersAsync(numbers, ct), cancellationToken).ConfigureAwait(false);
    }
}
