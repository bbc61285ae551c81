using Loire.Client.Administration;
using Loire.Client.Internal;
using Loire.Entities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Loire.Client;

/// <summary>
/// The entry point to a Loire cluster: owns the connection and hands out senders, receivers and the
/// administration client. Create one per application and share it; it is thread-safe.
/// </summary>
/// <remarks>
/// A client built from gateways connects lazily: the first operation (or <see cref="ConnectAsync"/>) starts an
/// internal Orleans client and waits for it asynchronously, so no call blocks a thread. If connecting fails, that
/// operation fails with <see cref="LoireErrorReason.ServiceCommunicationProblem"/> and the next one tries again.
/// A co-hosted client (built from an <see cref="IGrainFactory"/>) uses the silo's or test cluster's connection and
/// owns nothing.
/// </remarks>
public partial class LoireClient : IAsyncDisposable, IDisposable
{
    private readonly LoireConnection _connection = null!;
    private readonly LoireClientOptions _options = null!;
    private readonly OperationExecutor _executor = null!;
    private readonly ILoggerFactory _loggerFactory = NullLoggerFactory.Instance;
    private readonly TimeProvider _timeProvider = TimeProvider.System;

    /// <summary>For mocking: creates a client that is not connected to anything.</summary>
    protected LoireClient()
    {
    }

    /// <summary>Creates a client for the cluster behind <paramref name="gateways"/>, or described by a connection string.</summary>
    /// <param name="gateways">
    /// One or more gateways, <c>"host:port;host:port"</c>, or a connection string
    /// (<c>Endpoint=loire://host:port;SharedAccessKeyName=...;SharedAccessKey=...</c>, see <see cref="Security.LoireConnectionString"/>).
    /// </param>
    /// <exception cref="ArgumentException">No gateway is given, one is malformed, or the connection string is malformed.</exception>
    public LoireClient(string gateways)
        : this(OptionsFromGatewayList(gateways))
    {
    }

    /// <summary>Creates a client for the cluster that <paramref name="options"/> describe.</summary>
    /// <param name="options">Gateways, cluster ids, timeouts and retries; copied, later changes have no effect.</param>
    /// <param name="loggerFactory">Where the client (and its Orleans client) log; nothing is logged when null.</param>
    /// <exception cref="ArgumentException">The options are invalid (no gateway, malformed gateway, bad timeouts).</exception>
    public LoireClient(LoireClientOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Clone();
        _options.Validate();
        var gateways = _options.ParseGateways();
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _connection = new GatewayConnection(_options, gateways, loggerFactory, _loggerFactory.CreateLogger<LoireClient>());
        _executor = new OperationExecutor(_connection, _options.Retry, _loggerFactory.CreateLogger<LoireClient>());
    }

    /// <summary>
    /// Creates a client over a grain factory someone else owns: inside a silo (resolve <see cref="IGrainFactory"/> from
    /// its services) or over an Orleans test cluster. Disposing this client releases nothing of the factory's owner.
    /// </summary>
    /// <param name="grainFactory">The silo's or cluster client's grain factory.</param>
    /// <param name="options">Timeouts and retries; gateways and cluster ids are ignored. Copied.</param>
    /// <param name="loggerFactory">Where the client logs; nothing is logged when null.</param>
    public LoireClient(IGrainFactory grainFactory, LoireClientOptions? options = null, ILoggerFactory? loggerFactory = null)
        : this(new CoHostedConnection(grainFactory ?? throw new ArgumentNullException(nameof(grainFactory))), options, loggerFactory, null)
    {
    }

    /// <summary>Creates a client over any connection; the seam unit tests use.</summary>
    internal LoireClient(LoireConnection connection, LoireClientOptions? options, ILoggerFactory? loggerFactory, TimeProvider? timeProvider)
    {
        _options = (options ?? new LoireClientOptions()).Clone();
        _options.Validate();
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _connection = connection;
        _executor = new OperationExecutor(_connection, _options.Retry, _loggerFactory.CreateLogger<LoireClient>());
    }

    /// <summary>True once the client has been disposed; senders and receivers it created then fail with <see cref="ObjectDisposedException"/>.</summary>
    public virtual bool IsClosed => _connection is { IsClosed: true };

    internal OperationExecutor Executor => _executor;

    /// <summary>True when a send may hand the broker the caller's body arrays (see <see cref="LoireConnection.SerializesCalls"/>).</summary>
    internal bool SerializesCalls => _connection.SerializesCalls;

    internal LoireClientOptions Options => _options;

    internal ILoggerFactory LoggerFactory => _loggerFactory;

    internal TimeProvider TimeProvider => _timeProvider;

    /// <summary>
    /// Longest wait one receive call asks the broker for: three quarters of <see cref="LoireClientOptions.OperationTimeout"/>,
    /// at most 20 s, so a long poll never runs into the response timeout.
    /// </summary>
    internal TimeSpan MaxWaitPerCall
    {
        get
        {
            var threeQuarters = TimeSpan.FromTicks(_options.OperationTimeout.Ticks / 4 * 3);
            var cap = TimeSpan.FromSeconds(20);
            return threeQuarters < cap ? threeQuarters : cap;
        }
    }

    /// <summary>Partitions of the queue or subscription at <paramref name="path"/>, from the catalog; null when it does not exist (its grain then says so).</summary>
    internal async ValueTask<int?> FindPartitionCountAsync(string path, CancellationToken cancellationToken)
    {
        var description = await _executor.ExecuteAsync("find entity", path, RetryKind.Idempotent,
            (grains, ct) => new ValueTask<EntityDescription?>(grains.Catalog.FindAsync(path, ct)), cancellationToken).ConfigureAwait(false);
        return description?.Options.PartitionCount;
    }

    /// <summary>
    /// Connects now instead of on first use, so configuration and network problems surface at startup.
    /// Does nothing when already connected or co-hosted.
    /// </summary>
    /// <param name="cancellationToken">Cancels waiting for the connection.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.ServiceCommunicationProblem"/>: no gateway could be reached.</exception>
    public virtual async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(IsClosed, this);
        await _executor.ExecuteAsync(nameof(ConnectAsync), null, RetryKind.Idempotent,
            static (_, _) => ValueTask.CompletedTask, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates a sender for a queue or a topic. Cheap; whether the path is a queue or a topic is looked up on first send.</summary>
    /// <param name="queueOrTopic">Path of the queue or topic, e.g. <c>orders</c>.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.InvalidArgument"/>: the path is malformed.</exception>
    public virtual LoireSender CreateSender(string queueOrTopic)
    {
        ObjectDisposedException.ThrowIf(IsClosed, this);
        EntityPath.ValidateQueueOrTopic(queueOrTopic);
        return new LoireSender(this, queueOrTopic);
    }

    /// <summary>Creates a receiver for a queue (or, with <see cref="LoireReceiverOptions.SubQueue"/>, its dead-letter queue).</summary>
    /// <param name="queue">Path of the queue.</param>
    /// <param name="options">Receive mode, prefetch and sub-queue; defaults when null.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.InvalidArgument"/>: the path is malformed.</exception>
    public virtual LoireReceiver CreateReceiver(string queue, LoireReceiverOptions? options = null)
    {
        ObjectDisposedException.ThrowIf(IsClosed, this);
        EntityPath.ValidateQueueOrTopic(queue);
        return new LoireReceiver(this, queue, options ?? new LoireReceiverOptions());
    }

    /// <summary>Creates a receiver for a subscription of a topic (or its dead-letter queue).</summary>
    /// <param name="topic">Path of the topic.</param>
    /// <param name="subscription">Name of the subscription.</param>
    /// <param name="options">Receive mode, prefetch and sub-queue; defaults when null.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.InvalidArgument"/>: a name is malformed.</exception>
    public virtual LoireReceiver CreateReceiver(string topic, string subscription, LoireReceiverOptions? options = null)
    {
        ObjectDisposedException.ThrowIf(IsClosed, this);
        EntityPath.ValidateQueueOrTopic(topic);
        Validation.ValidateSubscriptionName(subscription, topic);
        return new LoireReceiver(this, EntityPath.Subscription(topic, subscription), options ?? new LoireReceiverOptions());
    }

    /// <summary>
    /// Creates a processor that pushes the messages of a queue (or, with <see cref="LoireProcessorOptions.SubQueue"/>,
    /// its dead-letter queue) to a handler. Set its handlers, then call <see cref="LoireProcessor.StartProcessingAsync"/>.
    /// </summary>
    /// <param name="queue">Path of the queue.</param>
    /// <param name="options">Concurrency, prefetch, auto-completion, lock renewal and receive mode; defaults when null.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.InvalidArgument"/>: the path is malformed.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (for example <see cref="LoireProcessorOptions.MaxConcurrentCalls"/> below 1).</exception>
    public virtual LoireProcessor CreateProcessor(string queue, LoireProcessorOptions? options = null)
    {
        ObjectDisposedException.ThrowIf(IsClosed, this);
        EntityPath.ValidateQueueOrTopic(queue);
        return new LoireProcessor(this, queue, options ?? new LoireProcessorOptions());
    }

    /// <summary>Creates a processor for a subscription of a topic (or its dead-letter queue).</summary>
    /// <param name="topic">Path of the topic.</param>
    /// <param name="subscription">Name of the subscription.</param>
    /// <param name="options">Concurrency, prefetch, auto-completion, lock renewal and receive mode; defaults when null.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.InvalidArgument"/>: a name is malformed.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public virtual LoireProcessor CreateProcessor(string topic, string subscription, LoireProcessorOptions? options = null)
    {
        ObjectDisposedException.ThrowIf(IsClosed, this);
        EntityPath.ValidateQueueOrTopic(topic);
        Validation.ValidateSubscriptionName(subscription, topic);
        return new LoireProcessor(this, EntityPath.Subscription(topic, subscription), options ?? new LoireProcessorOptions());
    }

    /// <summary>Creates a client that creates, inspects and deletes queues, topics, subscriptions and rules.</summary>
    public virtual LoireAdministrationClient CreateAdministrationClient()
    {
        ObjectDisposedException.ThrowIf(IsClosed, this);
        return new LoireAdministrationClient(this);
    }

    /// <summary>
    /// Closes the connection (a gateway client stops its internal Orleans client; a co-hosted client releases
    /// nothing). Idempotent.
    /// </summary>
    public virtual async ValueTask DisposeAsync()
    {
        await DisposeRequestReplyAsync().ConfigureAwait(false);
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Closes the connection synchronously, for containers and callers that cannot await; blocks until the
    /// Orleans client has stopped. Prefer <see cref="DisposeAsync"/>.
    /// </summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the connection when <paramref name="disposing"/>; for subclasses.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        DisposeRequestReply(disposing);
        if (disposing && _connection is { IsClosed: false } connection)
        {
            // Off the caller's synchronization context, so the blocking wait cannot deadlock.
            Task.Run(() => connection.DisposeAsync().AsTask()).GetAwaiter().GetResult();
        }
    }

    private static LoireClientOptions OptionsFromGatewayList(string gateways)
    {
        ArgumentNullException.ThrowIfNull(gateways);
        if (Security.LoireConnectionString.IsConnectionString(gateways))
        {
            return LoireClientOptions.FromConnectionString(gateways);
        }

        var options = new LoireClientOptions();
        foreach (var gateway in GatewayAddress.SplitList(gateways))
        {
            options.Gateways.Add(gateway);
        }

        return options;
    }
}
