using Loire.Client.Internal;
using Loire.Client.Sessions;
using Loire.Messages;
using Loire.Partitions;
using Microsoft.Extensions.Logging;

namespace Loire.Client;

/// <summary>
/// Receives the messages of one locked session of a session queue or subscription, strictly in order, and keeps the
/// session's state. Created by <see cref="LoireClient.AcceptNextSessionAsync(string, LoireSessionReceiverOptions?, CancellationToken)"/>
/// or <see cref="LoireClient.AcceptSessionAsync(string, string, LoireSessionReceiverOptions?, CancellationToken)"/>; thread-safe.
/// </summary>
/// <remarks>
/// The receiver holds the session lock until it is closed or the lock expires (renew it with
/// <see cref="RenewSessionLockAsync"/>). Closing releases the session: messages it received but did not settle,
/// prefetched ones included, become available again to the next receiver of the session. Once the session lock is
/// lost, settling, renewing and session state fail with <see cref="LoireErrorReason.SessionLockLost"/>.
/// </remarks>
public partial class LoireSessionReceiver : LoireReceiver
{
    private readonly LoireClient _client = null!;
    private readonly string _grainPath = null!;
    private readonly SessionHandle _handle = null!;
    private readonly ILogger _logger = null!;
    private readonly object _sync = new();
    private DateTimeOffset _sessionLockedUntil;
    private int _released;

    /// <summary>For mocking: creates a session receiver that is not connected to anything.</summary>
    protected LoireSessionReceiver()
    {
    }

    /// <param name="client">The owning client.</param>
    /// <param name="entityPath">Path of the queue or subscription.</param>
    /// <param name="grainPath">Path of the grain (the entity's, or the partition's) that holds the session.</param>
    /// <param name="options">Receive mode, prefetch and waits.</param>
    /// <param name="accepted">The session lock.</param>
    internal LoireSessionReceiver(LoireClient client, string entityPath, string grainPath, LoireSessionReceiverOptions options, AcceptedSession accepted)
        : base(client, entityPath, grainPath, options.ToReceiverOptions())
    {
        _client = client;
        _grainPath = grainPath;
        _handle = accepted.Handle;
        _sessionLockedUntil = accepted.LockedUntil;
        _logger = client.LoggerFactory.CreateLogger<LoireSessionReceiver>();
    }

    /// <inheritdoc />
    private protected override bool CanPush => false;

    /// <summary>The session this receiver holds.</summary>
    public virtual string SessionId => _handle.SessionId;

    /// <summary>When the session lock expires unless renewed; updated by <see cref="RenewSessionLockAsync"/>.</summary>
    public virtual DateTimeOffset SessionLockedUntil
    {
        get
        {
            lock (_sync)
            {
                return _sessionLockedUntil;
            }
        }
    }

    private bool IsReleased => Volatile.Read(ref _released) != 0;

    /// <summary>
    /// Receives up to <paramref name="maxMessages"/> messages of the session, in sequence order. Returns as soon as at
    /// least one is there, or an empty list when none arrives within <paramref name="maxWaitTime"/>.
    /// </summary>
    /// <param name="maxMessages">Most messages to return; at least 1.</param>
    /// <param name="maxWaitTime">Longest wait for the first message; <see cref="LoireReceiver.DefaultMaxWaitTime"/> (60 s) when null; zero returns at once.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.SessionLockLost"/>: the session lock expired or was released.</exception>
    public override Task<IReadOnlyList<LoireReceivedMessage>> ReceiveMessagesAsync(int maxMessages, TimeSpan? maxWaitTime = null, CancellationToken cancellationToken = default) =>
        base.ReceiveMessagesAsync(maxMessages, maxWaitTime, cancellationToken);

    /// <summary>
    /// Looks at up to <paramref name="maxMessages"/> messages of the session (active, deferred and scheduled) without
    /// locking them. Successive peeks continue after the last message peeked; an empty list means the end.
    /// </summary>
    /// <param name="maxMessages">Most messages to return; at least 1.</param>
    /// <param name="fromSequenceNumber">Start here (inclusive) instead of after the last peeked message.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public override Task<IReadOnlyList<LoireReceivedMessage>> PeekMessagesAsync(int maxMessages, long? fromSequenceNumber = null, CancellationToken cancellationToken = default) =>
        base.PeekMessagesAsync(maxMessages, fromSequenceNumber, cancellationToken);

    /// <summary>Receives deferred messages of the session by their sequence numbers, in one call.</summary>
    /// <param name="sequenceNumbers">Sequence numbers of messages of this session deferred with <see cref="LoireReceiver.DeferMessageAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException">
    /// <see cref="LoireErrorReason.MessageNotFound"/>: one of them is not a deferred message of this session;
    /// <see cref="LoireErrorReason.SessionLockLost"/>.
    /// </exception>
    public override Task<IReadOnlyList<LoireReceivedMessage>> ReceiveDeferredMessagesAsync(IEnumerable<long> sequenceNumbers, CancellationToken cancellationToken = default) =>
        base.ReceiveDeferredMessagesAsync(sequenceNumbers, cancellationToken);

    /// <summary>Extends the session lock by the entity's lock duration (and the locks of the messages the receiver holds); updates <see cref="SessionLockedUntil"/>.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.SessionLockLost"/>: the lock already expired or was released.</exception>
    public virtual async Task RenewSessionLockAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfSessionUnusable();
        var path = _grainPath;
        var handle = _handle;
        var lockedUntil = await _client.Executor.ExecuteAsync("renew session lock", EntityPath, RetryKind.Idempotent,
            (grains, ct) => grains.Queue(path).RenewSessionLockAsync(handle, ct), cancellationToken).ConfigureAwait(false);
        lock (_sync)
        {
            if (lockedUntil > _sessionLockedUntil)
            {
                _sessionLockedUntil = lockedUntil;
            }
        }
    }

    /// <summary>The session's state, or null when it has none.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.SessionLockLost"/>: the session lock expired or was released.</exception>
    public virtual async Task<BinaryData?> GetSessionStateAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfSessionUnusable();
        var path = _grainPath;
        var handle = _handle;
        var state = await _client.Executor.ExecuteAsync("get session state", EntityPath, RetryKind.Idempotent,
            (grains, ct) => grains.Queue(path).GetSessionStateAsync(handle, ct), cancellationToken).ConfigureAwait(false);
        return state is null ? null : new BinaryData(state);
    }

    /// <summary>Replaces the session's state; it is durable when the call returns. Null removes it.</summary>
    /// <param name="state">The new state (at most the broker's maximum message size), or null.</param>
    /// <param name="cancellationToken">Cancels the call (the state may or may not have been written).</param>
    /// <exception cref="LoireException">
    /// <see cref="LoireErrorReason.SessionLockLost"/>: the session lock expired or was released;
    /// <see cref="LoireErrorReason.MessageSizeExceeded"/>: the state is too large.
    /// </exception>
    public virtual async Task SetSessionStateAsync(BinaryData? state, CancellationToken cancellationToken = default)
    {
        ThrowIfSessionUnusable();
        var path = _grainPath;
        var handle = _handle;
        var bytes = state?.ToArray();

        // Writing the same state twice is harmless, so a retry after a lost answer is safe.
        await _client.Executor.ExecuteAsync("set session state", EntityPath, RetryKind.Idempotent,
            (grains, ct) => new ValueTask(grains.Queue(path).SetSessionStateAsync(handle, bytes, ct)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Closes the receiver and releases the session lock: the messages it holds and did not settle (prefetched ones
    /// included) become available to the next receiver of the session, their delivery counted. Later receives throw
    /// <see cref="ObjectDisposedException"/>; later settlements and session operations throw
    /// <see cref="LoireException"/> with <see cref="LoireErrorReason.SessionLockLost"/>.
    /// </summary>
    /// <param name="cancellationToken">Cancels releasing the session (its lock then expires by itself).</param>
    public override async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            return;
        }

        ClearPrefetched();
        await base.CloseAsync(cancellationToken).ConfigureAwait(false);
        if (_client.IsClosed)
        {
            return;
        }

        var path = _grainPath;
        var handle = _handle;
        try
        {
            // Releasing twice is a no-op on the broker.
            await _client.Executor.ExecuteAsync("release session", EntityPath, RetryKind.Idempotent,
                (grains, ct) => new ValueTask(grains.Queue(path).ReleaseSessionAsync(handle, ct)), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Best effort: the session lock expires by itself.
            LogReleaseOnCloseFailed(_logger, _handle.SessionId, EntityPath, exception);
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"LoireSessionReceiver({EntityPath}, {_handle.SessionId}, {ReceiveMode})";

    /// <summary>
    /// Accepts a session (named, or the next free one, waiting as the options say) and returns its receiver. On a
    /// partitioned entity a named session lives in the partition its id hashes to; the next free one is looked for
    /// in every partition.
    /// </summary>
    internal static async Task<LoireSessionReceiver> AcceptAsync(LoireClient client, string entityPath, string? sessionId, LoireSessionReceiverOptions options, CancellationToken cancellationToken)
    {
        options.Validate();
        var partitionCount = await client.FindPartitionCountAsync(entityPath, cancellationToken).ConfigureAwait(false) ?? 1;
        if (sessionId is not null)
        {
            var grainPath = EntityPartitions.GrainPath(entityPath, MessagePartitioner.PartitionOf(sessionId, partitionCount));
            var named = new AcceptSessionRequest(sessionId, TimeSpan.Zero);

            // A retry after a lost answer would find the session locked by the lost attempt: retry only unsent calls.
            var accepted = await client.Executor.ExecuteAsync("accept session", entityPath, RetryKind.WhenNotExecuted,
                (grains, ct) => grains.Queue(grainPath).AcceptSessionAsync(named, ct), cancellationToken).ConfigureAwait(false);
            return accepted is null
                ? throw new LoireException(LoireErrorReason.SessionCannotBeLocked, $"Session '{sessionId}' could not be locked.", entityPath)
                : new LoireSessionReceiver(client, entityPath, grainPath, options, accepted);
        }

        var wait = options.MaxWaitTime;
        var time = client.TimeProvider;
        var started = time.GetTimestamp();
        var maxPerCall = client.MaxWaitPerCall;
        var accept = new SessionAcceptor(client, entityPath, partitionCount);
        while (true)
        {
            var remaining = wait - time.GetElapsedTime(started);
            var chunk = remaining <= TimeSpan.Zero ? TimeSpan.Zero : remaining < maxPerCall ? remaining : maxPerCall;
            var callStarted = time.GetTimestamp();
            if (await accept.AcceptNextAsync(chunk, cancellationToken).ConfigureAwait(false) is { } found)
            {
                return new LoireSessionReceiver(client, entityPath, found.GrainPath, options, found.Session);
            }

            remaining = wait - time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                throw new LoireException(LoireErrorReason.ServiceTimeout,
                    $"No unlocked session with available messages within {wait}.", entityPath);
            }

            if (time.GetElapsedTime(callStarted) < chunk - EarlyReturnTolerance)
            {
                var pause = remaining < EarlyReturnPause ? remaining : EarlyReturnPause;
                await Task.Delay(pause, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private protected override ValueTask<DeliveredMessage[]> ReceiveCoreAsync(ReceiveRequest request, CancellationToken cancellationToken)
    {
        var path = _grainPath;
        var handle = _handle;
        return _client.Executor.ExecuteAsync("receive session", EntityPath, RetryKind.Idempotent,
            (grains, ct) => grains.Queue(path).ReceiveSessionAsync(handle, request, ct), cancellationToken);
    }

    /// <summary>Peeks this session's messages only.</summary>
    private protected override ValueTask<DeliveredMessage[]> PeekCoreAsync(long fromSequenceNumber, int maxMessages, CancellationToken cancellationToken)
    {
        var path = _grainPath;
        var sessionId = _handle.SessionId;
        return _client.Executor.ExecuteAsync("peek session", EntityPath, RetryKind.Idempotent,
            (grains, ct) => grains.Queue(path).PeekSessionAsync(sessionId, fromSequenceNumber, maxMessages, ct), cancellationToken);
    }

    /// <summary>Receives deferred messages of this session only; the broker checks the session lock.</summary>
    private protected override ValueTask<DeliveredMessage[]> ReceiveDeferredCoreAsync(long[] sequenceNumbers, CancellationToken cancellationToken)
    {
        var path = _grainPath;
        var handle = _handle;
        var mode = ModeKind;

        // A second attempt after a lost answer would find the messages already locked: retry only unsent calls.
        return _client.Executor.ExecuteAsync("receive deferred", EntityPath, RetryKind.WhenNotExecuted,
            (grains, ct) => grains.Queue(path).ReceiveSessionDeferredAsync(handle, sequenceNumbers, mode, ct), cancellationToken);
    }

    /// <summary>Session operations need the session lock: after close it is released, so they fail with SessionLockLost.</summary>
    private void ThrowIfSessionUnusable()
    {
        ObjectDisposedException.ThrowIf(_client.IsClosed, this);
        if (IsReleased)
        {
            throw new LoireException(LoireErrorReason.SessionLockLost,
                $"The session receiver for session '{_handle.SessionId}' was closed and released its session lock.", EntityPath);
        }
    }

    [LoggerMessage(EventId = (int)SessionLogEvent.ReleaseOnCloseFailed, Level = LogLevel.Warning,
        Message = "Could not release session {SessionId} of {EntityPath} on close; its lock expires by itself")]
    private static partial void LogReleaseOnCloseFailed(ILogger logger, string sessionId, string entityPath, Exception exception);

    [LoggerMessage(EventId = (int)SessionLogEvent.PrefetchedLockExpired, Level = LogLevel.Debug,
        Message = "Dropped {Count} prefetched messages of session {SessionId} of {EntityPath} whose locks expired or were about to; the broker redelivers them")]
    private static partial void LogPrefetchedLockExpired(ILogger logger, int count, string sessionId, string entityPath);
}
