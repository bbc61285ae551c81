using System.Collections.Concurrent;
using Loire.Client.Administration;
using Microsoft.Extensions.Logging;

namespace Loire.Client.RequestReply;

/// <summary>
/// The reply side of <see cref="LoireClient.RequestAsync"/>: one temporary queue per client, created on the first
/// request, and a receive loop that hands each reply to the request whose MessageId its CorrelationId names.
/// </summary>
/// <remarks>
/// The queue auto-deletes after <see cref="QueueAutoDeleteOnIdle"/> without use, so a client that dies without
/// disposing leaves nothing behind for long; the loop's parked receive keeps it in use while the client lives.
/// Replies are completed after they are handed over; one that nobody waits for (late, or not a reply) is completed
/// and dropped.
/// </remarks>
internal sealed partial class ReplyChannel : IAsyncDisposable
{
    /// <summary>First segment of every reply queue's path.</summary>
    public const string QueuePrefix = "replies/";

    /// <summary>Idle time after which an abandoned reply queue deletes itself.</summary>
    public static readonly TimeSpan QueueAutoDeleteOnIdle = TimeSpan.FromMinutes(5);

    private const int ReceiveBatchSize = 100;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan DeleteTimeout = TimeSpan.FromSeconds(10);

    private readonly LoireClient _client;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<LoireReceivedMessage>> _pending = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LoireSender> _senders = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _startGate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private LoireReceiver? _receiver;
    private Task _loop = Task.CompletedTask;
    private volatile bool _started;
    private volatile bool _disposed;

    public ReplyChannel(LoireClient client)
    {
        _client = client;
        _logger = client.LoggerFactory.CreateLogger<ReplyChannel>();
        QueuePath = QueuePrefix + Guid.NewGuid().ToString("N");
    }

    /// <summary>Path of this client's reply queue; requests carry it as ReplyTo.</summary>
    public string QueuePath { get; }

    /// <summary>Requests waiting for their reply.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>Creates the reply queue and starts the receive loop, once.</summary>
    public async ValueTask EnsureStartedAsync(CancellationToken cancellationToken)
    {
        if (_started)
        {
            return;
        }

        await _startGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, _client);
            if (_started)
            {
                return;
            }

            await CreateQueueAsync(cancellationToken).ConfigureAwait(false);
            _receiver = _client.CreateReceiver(QueuePath);
            var stopping = _stopping.Token;
            _loop = Task.Run(() => ReceiveLoopAsync(_receiver, stopping), CancellationToken.None);
            _started = true;
        }
        finally
        {
            _startGate.Release();
        }
    }

    /// <summary>Registers a request before it is sent, so a reply that comes back at once finds it.</summary>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.InvalidArgument"/>: a request with the same MessageId is pending.</exception>
    public TaskCompletionSource<LoireReceivedMessage> Register(string requestId)
    {
        ObjectDisposedException.ThrowIf(_disposed, _client);
        var pending = new TaskCompletionSource<LoireReceivedMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.TryAdd(requestId, pending))
        {
            throw new LoireException(LoireErrorReason.InvalidArgument,
                $"A request with MessageId '{requestId}' is already waiting for its reply; every request needs its own MessageId.");
        }

        if (_disposed)
        {
            // Disposal may have failed the pending requests just before this one was added.
            _pending.TryRemove(KeyValuePair.Create(requestId, pending));
            throw new ObjectDisposedException(nameof(LoireClient));
        }

        return pending;
    }

    /// <summary>Forgets a request (answered, timed out or cancelled); a reply that comes later is dropped.</summary>
    public void Unregister(string requestId, TaskCompletionSource<LoireReceivedMessage> pending) =>
        _pending.TryRemove(KeyValuePair.Create(requestId, pending));

    /// <summary>A sender for a request target, kept so its queue-or-topic lookup is done once.</summary>
    public LoireSender GetSender(string entityPath) => _senders.GetOrAdd(entityPath, static (path, client) => client.CreateSender(path), _client);

    /// <summary>
    /// Stops the loop, fails the requests still waiting with <see cref="ObjectDisposedException"/> and deletes the
    /// reply queue (best effort: if that fails, the queue auto-deletes when idle). Call before the connection closes.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var (requestId, pending) in _pending)
        {
            if (_pending.TryRemove(KeyValuePair.Create(requestId, pending)))
            {
                pending.TrySetException(new ObjectDisposedException(nameof(LoireClient), "The client was disposed before the reply arrived."));
            }
        }

        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            LogLoopFailed(_logger, QueuePath, exception);
        }

        await _startGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_started)
            {
                await DeleteQueueAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _startGate.Release();
        }

        _stopping.Dispose();
    }

    private async Task CreateQueueAsync(CancellationToken cancellationToken)
    {
        var options = new CreateQueueOptions(QueuePath) { AutoDeleteOnIdle = QueueAutoDeleteOnIdle };
        try
        {
            await _client.CreateAdministrationClient().CreateQueueAsync(options, cancellationToken).ConfigureAwait(false);
            LogQueueCreated(_logger, QueuePath);
        }
        catch (LoireException exception) when (exception.Reason == LoireErrorReason.MessagingEntityAlreadyExists)
        {
            // A retried create whose first attempt got through: the name is this client's own.
        }
    }

    private async Task DeleteQueueAsync()
    {
        using var timeout = new CancellationTokenSource(DeleteTimeout);
        try
        {
            await _client.CreateAdministrationClient().DeleteQueueAsync(QueuePath, timeout.Token).ConfigureAwait(false);
        }
        catch (LoireException exception) when (exception.Reason == LoireErrorReason.MessagingEntityNotFound)
        {
        }
        catch (Exception exception)
        {
            LogDeleteFailed(_logger, QueuePath, exception);
        }
    }

    private async Task ReceiveLoopAsync(LoireReceiver receiver, CancellationToken stopping)
    {
        var failures = 0;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var replies = await receiver.ReceiveMessagesAsync(ReceiveBatchSize, LoireReceiver.DefaultMaxWaitTime, stopping).ConfigureAwait(false);
                failures = 0;
                if (replies.Count == 0)
                {
                    continue;
                }

                foreach (var reply in replies)
                {
                    Dispatch(reply);
                }

                await CompleteAsync(receiver, replies, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException) when (_disposed || _client.IsClosed)
            {
                return;
            }
            catch (Exception exception)
            {
                failures++;
                LogReceiveFailed(_logger, QueuePath, failures, exception);
                if (exception is LoireException { Reason: LoireErrorReason.MessagingEntityNotFound })
                {
                    // The queue is gone (deleted by hand, or auto-deleted while this client was cut off): make it
                    // again under the same name, which the pending requests carry as ReplyTo.
                    await RecreateQueueAsync(stopping).ConfigureAwait(false);
                }

                await BackOffAsync(failures, stopping).ConfigureAwait(false);
            }
        }
    }

    private void Dispatch(LoireReceivedMessage reply)
    {
        if (reply.CorrelationId is { } requestId && _pending.TryRemove(requestId, out var pending))
        {
            pending.TrySetResult(reply);
            return;
        }

        LogReplyDropped(_logger, QueuePath, reply.CorrelationId, reply.MessageId);
    }

    private async Task CompleteAsync(LoireReceiver receiver, IReadOnlyList<LoireReceivedMessage> replies, CancellationToken stopping)
    {
        try
        {
            await receiver.CompleteMessagesAsync(replies, stopping).ConfigureAwait(false);
        }
        catch (LoireException exception) when (exception.Reason == LoireErrorReason.MessageLockLost)
        {
            // Delivered again later; its request is no longer pending by then, so it is dropped.
            LogCompleteFailed(_logger, QueuePath, exception);
        }
    }

    private async Task RecreateQueueAsync(CancellationToken stopping)
    {
        try
        {
            await CreateQueueAsync(stopping).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogReceiveFailed(_logger, QueuePath, 0, exception);
        }
    }

    private Task BackOffAsync(int failures, CancellationToken stopping)
    {
        var delay = TimeSpan.FromMilliseconds(100 * Math.Pow(2, Math.Min(failures - 1, 10)));
        return Task.Delay(delay < MaxBackoff ? delay : MaxBackoff, _client.TimeProvider, stopping);
    }

    [LoggerMessage(EventId = 1301, Level = LogLevel.Debug, Message = "Created reply queue {Queue}")]
    private static partial void LogQueueCreated(ILogger logger, string queue);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "Receiving replies from {Queue} failed ({Failures} in a row); retrying")]
    private static partial void LogReceiveFailed(ILogger logger, string queue, int failures, Exception exception);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Debug, Message = "Dropped a message on {Queue} that no request waits for (CorrelationId {CorrelationId}, MessageId {MessageId})")]
    private static partial void LogReplyDropped(ILogger logger, string queue, string? correlationId, string? messageId);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Debug, Message = "Completing replies on {Queue} failed; they come back and are dropped")]
    private static partial void LogCompleteFailed(ILogger logger, string queue, Exception exception);

    [LoggerMessage(EventId = 1305, Level = LogLevel.Warning, Message = "Could not delete reply queue {Queue}; it deletes itself when idle")]
    private static partial void LogDeleteFailed(ILogger logger, string queue, Exception exception);

    [LoggerMessage(EventId = 1306, Level = LogLevel.Warning, Message = "The reply loop of {Queue} failed")]
    private static partial void LogLoopFailed(ILogger logger, string queue, Exception exception);
}
