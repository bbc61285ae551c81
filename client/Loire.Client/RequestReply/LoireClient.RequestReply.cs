using Loire.Client.RequestReply;
using Loire.Entities;

namespace Loire.Client;

public partial class LoireClient
{
    private ReplyChannel? _replyChannel;

    /// <summary>
    /// Sends <paramref name="message"/> as a request to a queue or topic and waits for the reply: the first message on
    /// this client's reply queue whose <see cref="LoireReceivedMessage.CorrelationId"/> is the request's
    /// <see cref="LoireMessage.MessageId"/>. Concurrent requests are fine.
    /// </summary>
    /// <param name="entity">Path of the queue or topic the responder reads.</param>
    /// <param name="message">
    /// The request. Its <see cref="LoireMessage.MessageId"/> is assigned if null (and must not be shared by two pending
    /// requests); its <see cref="LoireMessage.ReplyTo"/> is set to this client's reply queue; its
    /// <see cref="LoireMessage.TimeToLive"/>, when left at its default, is set to <paramref name="timeout"/> so that a
    /// request nobody answers in time does not linger.
    /// </param>
    /// <param name="timeout">How long to wait for the reply, sending included; <see cref="Timeout.InfiniteTimeSpan"/> for no limit.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The reply; it is already completed on the reply queue.</returns>
    /// <exception cref="LoireException">
    /// <see cref="LoireErrorReason.ServiceTimeout"/>: no reply within <paramref name="timeout"/> (a reply that comes later
    /// is dropped); <see cref="LoireErrorReason.MessagingEntityNotFound"/>: <paramref name="entity"/> does not exist;
    /// <see cref="LoireErrorReason.InvalidArgument"/>: a bad path, message, or a MessageId another pending request uses.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is neither positive nor infinite.</exception>
    /// <exception cref="ObjectDisposedException">The client is (or gets) disposed.</exception>
    /// <remarks>
    /// The client creates its reply queue (<c>replies/{guid}</c>) on the first request and deletes it when disposed; the
    /// queue auto-deletes after five idle minutes should the client die without disposing. Responders send the reply
    /// to the request's <see cref="LoireReceivedMessage.ReplyTo"/> with <see cref="SendReplyAsync"/> or on their own.
    /// </remarks>
    public virtual async Task<LoireReceivedMessage> RequestAsync(string entity, LoireMessage message, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be positive or Timeout.InfiniteTimeSpan.");
        }

        ObjectDisposedException.ThrowIf(IsClosed, this);
        EntityPath.ValidateQueueOrTopic(entity);
        var channel = GetReplyChannel();
        message.MessageId ??= Guid.NewGuid().ToString("N");
        var requestId = message.MessageId;
        using var deadline = new CancellationTokenSource(timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            await channel.EnsureStartedAsync(linked.Token).ConfigureAwait(false);
            message.ReplyTo = channel.QueuePath;
            if (message.TimeToLive == TimeSpan.MaxValue && timeout != Timeout.InfiniteTimeSpan)
            {
                message.TimeToLive = timeout;
            }

            var pending = channel.Register(requestId);
            try
            {
                await channel.GetSender(entity).SendMessageAsync(message, linked.Token).ConfigureAwait(false);
                return await pending.Task.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            finally
            {
                channel.Unregister(requestId, pending);
            }
        }
        catch (OperationCanceledException exception) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new LoireException(LoireErrorReason.ServiceTimeout,
                $"No reply to request '{requestId}' sent to '{entity}' within {timeout}.", entity, exception);
        }
    }

    /// <summary>
    /// Sends <paramref name="reply"/> to where <paramref name="request"/> asks for replies
    /// (<see cref="LoireReceivedMessage.ReplyTo"/>), correlated with it: the reply's
    /// <see cref="LoireMessage.CorrelationId"/> defaults to the request's MessageId and its
    /// <see cref="LoireMessage.SessionId"/> to the request's <see cref="LoireReceivedMessage.ReplyToSessionId"/>.
    /// </summary>
    /// <param name="request">The request as the responder received it.</param>
    /// <param name="reply">The reply, for example from <see cref="LoireMessage.CreateReply"/>.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <exception cref="InvalidOperationException">The request has no ReplyTo.</exception>
    /// <exception cref="LoireException">
    /// <see cref="LoireErrorReason.MessagingEntityNotFound"/>: the reply queue is gone (the requester went away), or as
    /// for <see cref="LoireSender.SendMessageAsync"/>.
    /// </exception>
    public virtual async Task SendReplyAsync(LoireReceivedMessage request, LoireMessage reply, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(reply);
        if (string.IsNullOrEmpty(request.ReplyTo))
        {
            throw new InvalidOperationException($"Message {request.MessageId} has no ReplyTo: it does not ask for a reply.");
        }

        reply.CorrelationId ??= request.MessageId;
        reply.SessionId ??= request.ReplyToSessionId;
        await using var sender = CreateSender(request.ReplyTo);
        await sender.SendMessageAsync(reply, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The client's reply channel, created on first use; null until a request was made.</summary>
    internal ReplyChannel? ReplyChannel => Volatile.Read(ref _replyChannel);

    private ReplyChannel GetReplyChannel()
    {
        if (Volatile.Read(ref _replyChannel) is { } channel)
        {
            return channel;
        }

        var created = new ReplyChannel(this);
        return Interlocked.CompareExchange(ref _replyChannel, created, null) ?? created;
    }

    private async ValueTask DisposeRequestReplyAsync()
    {
        if (Volatile.Read(ref _replyChannel) is { } channel)
        {
            await channel.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void DisposeRequestReply(bool disposing)
    {
        if (disposing && !IsClosed && Volatile.Read(ref _replyChannel) is { } channel)
        {
            // Off the caller's synchronization context, so the blocking wait cannot deadlock.
            Task.Run(() => channel.DisposeAsync().AsTask()).GetAwaiter().GetResult();
        }
    }
}
