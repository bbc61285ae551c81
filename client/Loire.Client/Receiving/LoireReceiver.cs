using System.Runtime.CompilerServices;
using Loire.Client.Diagnostics;
using Loire.Messages;
using Microsoft.Extensions.Logging;
using Paths = Loire.Entities.EntityPath;

namespace Loire.Client;

/// <summary>
/// Receives, settles, peeks and defers messages of one queue or subscription (or its dead-letter queue).
/// Created by <see cref="LoireClient.CreateReceiver(string, LoireReceiverOptions?)"/>; thread-safe.
/// </summary>
public partial class LoireReceiver : IAsyncDisposable
{
    /// <summary>How long a receive waits for the first message when no wait time is given.</summary>
    public static readonly TimeSpan DefaultMaxWaitTime = TimeSpan.FromSeconds(60);

    private readonly LoireClient _client = null!;
    private readonly string _grainPath = null!;
    private readonly string _entityPath = null!;
    private readonly LoireReceiveMode _receiveMode;
    private readonly int _prefetchCount;
    private readonly LoireDeliveryMode _deliveryMode;
    private readonly SubQueue _subQueue;
    private readonly ILogger _logger = null!;
    private volatile bool _closed;

    /// <summary>For mocking: creates a receiver that is not connected to anything.</summary>
    protected LoireReceiver()
    {
    }

    /// <param name="client">The owning client.</param>
    /// <param name="grainPath">Path of the queue or subscription (no dead-letter suffix).</param>
    /// <param name="options">Receive mode, prefetch and sub-queue.</param>
    internal LoireReceiver(LoireClient client, string grainPath, LoireReceiverOptions options)
        : this(client, grainPath, grainPath, options)
    {
    }

    /// <param name="client">The owning client.</param>
    /// <param name="entityPath">Path of the queue or subscription, as shown (no dead-letter suffix).</param>
    /// <param name="grainPath">
    /// Path of the grain to use: the entity's own, or (a session receiver) the one partition that holds the session,
    /// in which case every call goes there.
    /// </param>
    /// <param name="options">Receive mode, prefetch and sub-queue.</param>
    private protected LoireReceiver(LoireClient client, string entityPath, string grainPath, LoireReceiverOptions options)
    {
        if (options.PrefetchCount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.PrefetchCount, "PrefetchCount must not be negative.");
        }

        if (!Enum.IsDefined(options.ReceiveMode))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ReceiveMode, "Unknown receive mode.");
        }

        if (!Enum.IsDefined(options.DeliveryMode))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.DeliveryMode, "Unknown delivery mode.");
        }

        if (!Enum.IsDefined(options.SubQueue))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.SubQueue, "Unknown sub-queue.");
        }

        _client = client;
        _grainPath = grainPath;
        _receiveMode = options.ReceiveMode;
        _prefetchCount = options.PrefetchCount;
        _deliveryMode = options.DeliveryMode;
        _subQueue = options.SubQueue;
        _entityPath = _subQueue == SubQueue.DeadLetter ? Paths.DeadLetter(entityPath) : entityPath;
        _partitionCount = entityPath == grainPath ? 0 : 1;
        _logger = client.LoggerFactory.CreateLogger<LoireReceiver>();
    }

    /// <summary>Path this receiver reads: the queue or <c>topic/subscriptions/name</c>, plus <c>/$deadletterqueue</c> for a dead-letter receiver.</summary>
    public virtual string EntityPath => _entityPath;

    /// <summary>Whether received messages are locked or removed.</summary>
    public virtual LoireReceiveMode ReceiveMode => _receiveMode;

    /// <summary>How many messages the receiver may fetch ahead (see <see cref="LoireReceiverOptions.PrefetchCount"/>).</summary>
    public virtual int PrefetchCount => _prefetchCount;

    /// <summary>The entity itself or its dead-letter queue.</summary>
    public virtual SubQueue SubQueue => _subQueue;

    /// <summary>Path of the grain the receiver reads: the entity's own, or the partition that holds a session.</summary>
    internal string GrainPath => _grainPath;

    /// <summary>True once the receiver or its client has been closed.</summary>
    public virtual bool IsClosed => _closed || _client.IsClosed;

    private protected ReceiveModeKind ModeKind => _receiveMode == LoireReceiveMode.ReceiveAndDelete ? ReceiveModeKind.ReceiveAndDelete : ReceiveModeKind.PeekLock;

    internal SubQueueKind SubQueueKind => _subQueue == SubQueue.DeadLetter ? SubQueueKind.DeadLetter : SubQueueKind.None;

    private bool PrefetchEnabled => _prefetchCount > 0 && _receiveMode == LoireReceiveMode.PeekLock;

    /// <summary>Receives one message, waiting up to <paramref name="maxWaitTime"/> for it; null when none arrives.</summary>
    /// <param name="maxWaitTime">Longest wait; <see cref="DefaultMaxWaitTime"/> (60 s) when null; zero returns at once.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public virtual async Task<LoireReceivedMessage?> ReceiveMessageAsync(TimeSpan? maxWaitTime = null, CancellationToken cancellationToken = default)
    {
        var messages = await ReceiveMessagesAsync(1, maxWaitTime, cancellationToken).ConfigureAwait(false);
        return messages.Count > 0 ? messages[0] : null;
    }

    /// <summary>
    /// Receives up to <paramref name="maxMessages"/> messages. Returns as soon as at least one is there, or an empty
    /// list when none arrives within <paramref name="maxWaitTime"/>.
    /// </summary>
    /// <param name="maxMessages">Most messages to return; at least 1.</param>
    /// <param name="maxWaitTime">Longest wait for the first message; <see cref="DefaultMaxWaitTime"/> (60 s) when null; zero returns at once.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <remarks>Long waits are split into several broker calls, each well below the operation timeout.</remarks>
    public virtual async Task<IReadOnlyList<LoireReceivedMessage>> ReceiveMessagesAsync(int maxMessages, TimeSpan? maxWaitTime = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        var wait = maxWaitTime ?? DefaultMaxWaitTime;
        ArgumentOutOfRangeException.ThrowIfLessThan(wait, TimeSpan.Zero, nameof(maxWaitTime));
        ObjectDisposedException.ThrowIf(IsClosed, this);

        var startedAt = LoireTelemetry.ReceiveStartTime();
        var buffered = TakePrefetched(maxMessages);
        if (buffered.Count > 0)
        {
            LoireTelemetry.RecordReceive(_entityPath, buffered, startedAt);
            return buffered;
        }

        var time = _client.TimeProvider;
        var started = time.GetTimestamp();
        // A receive that must not wait polls for what is there now, so it opens no links.
        var links = wait > TimeSpan.Zero ? await GetLinksAsync(cancellationToken).ConfigureAwait(false) : _links;
        if (links is not null
            && await ReceivePushedAsync(links, maxMessages, wait, started, cancellationToken).ConfigureAwait(false) is { } pushed)
        {
            LoireTelemetry.RecordReceive(_entityPath, pushed, startedAt);
            return pushed;
        }

        // Polling (the links stopped, if there were any, and so polls report why).
        var fetchCount = PrefetchEnabled ? Math.Max(maxMessages, _prefetchCount) : maxMessages;
        var maxPerCall = _client.MaxWaitPerCall;
        while (true)
        {
            var remaining = wait - time.GetElapsedTime(started);
            var chunk = remaining <= TimeSpan.Zero ? TimeSpan.Zero : remaining < maxPerCall ? remaining : maxPerCall;
            var callStarted = time.GetTimestamp();
            var request = new ReceiveRequest(fetchCount, chunk, ModeKind, SubQueueKind);
            var delivered = await ReceiveCoreAsync(request, cancellationToken).ConfigureAwait(false);
            if (delivered.Length > 0)
            {
                var messages = Deliver(delivered, maxMessages);
                LoireTelemetry.RecordReceive(_entityPath, messages, startedAt);
                return messages;
            }

            remaining = wait - time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                // Pushes that arrived meanwhile.
                var late = TakePrefetched(maxMessages);
                if (late.Count > 0)
                {
                    LoireTelemetry.RecordReceive(_entityPath, late, startedAt);
                }

                return late;
            }

            // A broker that answers "nothing" long before the wait it was given is not long-polling (it may be
            // deactivating); pause briefly instead of spinning.
            var callTook = time.GetElapsedTime(callStarted);
            if (callTook < chunk - EarlyReturnTolerance)
            {
                var pause = remaining < EarlyReturnPause ? remaining : EarlyReturnPause;
                await Task.Delay(pause, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Receives messages one by one for as long as the caller enumerates, waiting as long as it takes for each.
    /// Stops with <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    /// <param name="cancellationToken">Ends the enumeration.</param>
    public virtual async IAsyncEnumerable<LoireReceivedMessage> ReceiveMessagesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var message = await ReceiveMessageAsync(DefaultMaxWaitTime, cancellationToken).ConfigureAwait(false);
            if (message is not null)
            {
                yield return message;
            }
        }
    }

    /// <summary>
    /// Closes the receiver. Messages it prefetched but did not hand out are abandoned (best effort) so others
    /// get them without waiting for their locks to expire. Later operations throw <see cref="ObjectDisposedException"/>.
    /// </summary>
    /// <param name="cancellationToken">Cancels abandoning the prefetched messages.</param>
    public virtual async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        if (_closed)
        {
            return;
        }

        lock (_prefetched)
        {
            // Under the buffer's lock, so no pushed message enters it after the abandon below.
            _closed = true;
        }

        await StopLinksAsync().ConfigureAwait(false);
        await AbandonPrefetchedAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the receiver (see <see cref="CloseAsync"/>).</summary>
    public virtual async ValueTask DisposeAsync()
    {
        await CloseAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc />
    public override string ToString() => $"LoireReceiver({_entityPath}, {_receiveMode})";

    /// <summary>
    /// One receive call to the broker. The public receive, prefetch and settlement logic is shared with
    /// <see cref="LoireSessionReceiver"/>, which overrides these <c>*CoreAsync</c> hooks to call the session's grain methods.
    /// </summary>
    private protected virtual async ValueTask<DeliveredMessage[]> ReceiveCoreAsync(ReceiveRequest request, CancellationToken cancellationToken)
    {
        var partitionCount = await GetPartitionCountAsync(cancellationToken).ConfigureAwait(false);
        return partitionCount == 1
            ? await ReceiveFromAsync(_grainPath, request, cancellationToken).ConfigureAwait(false)
            : await ReceiveFromPartitionsAsync(partitionCount, request, cancellationToken).ConfigureAwait(false);
    }

    private LoireReceivedMessage Wrap(DeliveredMessage delivered, bool locked, DateTimeOffset now) =>
        new(delivered, _grainPath, locked, now);

    internal List<LoireReceivedMessage> WrapAll(DeliveredMessage[] delivered, bool locked)
    {
        var now = _client.TimeProvider.GetUtcNow();
        var messages = new List<LoireReceivedMessage>(delivered.Length);
        foreach (var message in delivered)
        {
            messages.Add(Wrap(message, locked, now));
        }

        return messages;
    }

    private void ThrowIfClosed() => ObjectDisposedException.ThrowIf(IsClosed, this);
}
