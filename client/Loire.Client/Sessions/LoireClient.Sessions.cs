using Loire.Client.Internal;
using Loire.Entities;

namespace Loire.Client;

public partial class LoireClient
{
    /// <summary>
    /// Locks the next session of a session queue (<c>RequiresSession</c>) that has available messages and no holder,
    /// the one whose oldest available message is oldest, waiting up to <see cref="LoireSessionReceiverOptions.MaxWaitTime"/>
    /// for one; returns a receiver for that session's messages.
    /// </summary>
    /// <param name="queue">Path of the queue.</param>
    /// <param name="options">Receive mode, prefetch and wait time; defaults when null.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="LoireException">
    /// <see cref="LoireErrorReason.ServiceTimeout"/>: no session became free in time;
    /// <see cref="LoireErrorReason.InvalidArgument"/>: the queue does not require sessions, or the path is malformed;
    /// <see cref="LoireErrorReason.MessagingEntityNotFound"/>.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public virtual Task<LoireSessionReceiver> AcceptNextSessionAsync(string queue, LoireSessionReceiverOptions? options = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(IsClosed, this);
        EntityPath.ValidateQueueOrTopic(queue);
        return LoireSessionReceiver.AcceptAsync(this, queue, null, options ?? new LoireSessionReceiverOptions(), cancellationToken);
    }

    /// <summary>Locks the next free session with available messages of a session subscription (see <see cref="AcceptNextSessionAsync(string, LoireSessionReceiverOptions?, CancellationToken)"/>).</summary>
    /// <param name="topic">Path of the topic.</param>
    /// <param name="subscription">Name of the subscription.</param>
    /// <param name="options">Receive mode, prefetch and wait time; defaults when null.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="LoireException">As for the queue overload.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public virtual Task<LoireSessionReceiver> AcceptNextSessionAsync(string topic, string subscription, LoireSessionReceiverOptions? options = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(IsClosed, this);
        EntityPath.ValidateQueueOrTopic(topic);
        Validation.ValidateSubscriptionName(subscription, topic);
        return LoireSessionReceiver.AcceptAsync(this, EntityPath.Subscription(topic, subscription), null, options ?? new LoireSessionReceiverOptions(), cancellationToken);
    }

    /// <summary>
    /// Locks a named session of a session queue, whether or not it has messages yet, and returns a receiver for it.
    /// Does not wait: a session held by another receiver is refused.
    /// </summary>
    /// <param name="queue">Path of the queue.</param>
    /// <param name="sessionId">The session to lock.</param>
    /// <param name="options">Receive mode and prefetch; defaults when null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException">
    /// <see cref="LoireErrorReason.SessionCannotBeLocked"/>: another receiver holds the session;
    /// <see cref="LoireErrorReason.InvalidArgument"/>: the queue does not require sessions, or a name is malformed;
    /// <see cref="LoireErrorReason.MessagingEntityNotFound"/>.
    /// </exception>
    /// <exception cref="ArgumentException"><paramref name="sessionId"/> is null or empty.</exception>
    public virtual Task<LoireSessionReceiver> AcceptSessionAsync(string queue, string sessionId, LoireSessionReceiverOptions? options = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(IsClosed, this);
        EntityPath.ValidateQueueOrTopic(queue);
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        return LoireSessionReceiver.AcceptAsync(this, queue, sessionId, options ?? new LoireSessionReceiverOptions(), cancellationToken);
    }

    /// <summary>Locks a named session of a session subscription (see <see cref="AcceptSessionAsync(string, string, LoireSessionReceiverOptions?, CancellationToken)"/>).</summary>
    /// <param name="topic">Path of the topic.</param>
    /// <param name="subscription">Name of the subscription.</param>
    /// <param name="sessionId">The session to lock.</param>
    /// <param name="options">Receive mode and prefetch; defaults when null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException">As for the queue overload.</exception>
    /// <exception cref="ArgumentException"><paramref name="sessionId"/> is null or empty.</exception>
    public virtual Task<LoireSessionReceiver> AcceptSessionAsync(string topic, string subscription, string sessionId, LoireSessionReceiverOptions? options = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(IsClosed, this);
        EntityPath.ValidateQueueOrTopic(topic);
        Validation.ValidateSubscriptionName(subscription, topic);
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        return LoireSessionReceiver.AcceptAsync(this, EntityPath.Subscription(topic, subscription), sessionId, options ?? new LoireSessionReceiverOptions(), cancellationToken);
    }
}
