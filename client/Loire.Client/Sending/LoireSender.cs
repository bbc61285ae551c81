using System.Diagnostics;
using Loire.Client.Diagnostics;
using Loire.Client.Internal;
using Loire.Client.Sending;
using Loire.Entities;
using Loire.Messages;
using Loire.Partitions;

namespace Loire.Client;

/// <summary>
/// Sends messages to one queue or topic. Created by <see cref="LoireClient.CreateSender"/>; cheap and thread-safe.
/// </summary>
/// <remarks>
/// On its first operation the sender asks the broker's catalog whether the path is a queue or a topic and remembers
/// the answer. Sends are retried on transient failures with the same <see cref="LoireMessage.MessageId"/>s: an entity
/// with duplicate detection stores such a message once; without it, a retry after a timeout may store it twice
/// (at-least-once).
/// </remarks>
public partial class LoireSender : IAsyncDisposable
{
    /// <summary>Most messages one <see cref="SendMessagesAsync"/> or <see cref="ScheduleMessagesAsync"/> call accepts.</summary>
    public const int MaxBatchMessageCount = 4500;

    /// <summary>Largest total size (bodies plus properties, as the broker accounts them) of one batch: 4 MiB.</summary>
    public const long MaxBatchSizeInBytes = 4L * 1024 * 1024;

    private readonly LoireClient _client = null!;
    private readonly string _entityPath = null!;
    private EntityDescription? _description;
    private int _nextPartition = Random.Shared.Next();
    private volatile bool _closed;

    /// <summary>For mocking: creates a sender that is not connected to anything.</summary>
    protected LoireSender()
    {
    }

    internal LoireSender(LoireClient client, string entityPath)
    {
        _client = client;
        _entityPath = entityPath;
    }

    /// <summary>Path of the queue or topic this sender sends to.</summary>
    public virtual string EntityPath => _entityPath;

    /// <summary>True once the sender or its client has been closed.</summary>
    public virtual bool IsClosed => _closed || _client.IsClosed;

    /// <summary>Sends one message; returns once the broker holds it durably.</summary>
    /// <param name="message">The message; its <see cref="LoireMessage.MessageId"/> is assigned if null.</param>
    /// <param name="cancellationToken">Cancels the send (the message may or may not have been stored).</param>
    /// <exception cref="LoireException">
    /// <see cref="LoireErrorReason.MessagingEntityNotFound"/>, <see cref="LoireErrorReason.InvalidArgument"/> (bad
    /// property value or TTL), <see cref="LoireErrorReason.MessageSizeExceeded"/>, <see cref="LoireErrorReason.QuotaExceeded"/>,
    /// or a transient reason once retries are exhausted.
    /// </exception>
    public virtual async Task SendMessageAsync(LoireMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        await SendCoreAsync([message], "send", RetryKind.Idempotent, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends messages as one durable batch: one broker call, all stored or none. An empty sequence does nothing.
    /// </summary>
    /// <param name="messages">At most <see cref="MaxBatchMessageCount"/> messages totalling at most <see cref="MaxBatchSizeInBytes"/>.</param>
    /// <param name="cancellationToken">Cancels the send (the batch may or may not have been stored).</param>
    /// <exception cref="LoireException">
    /// <see cref="LoireErrorReason.InvalidArgument"/> for too many messages, <see cref="LoireErrorReason.MessageSizeExceeded"/>
    /// for too many bytes, and the reasons of <see cref="SendMessageAsync"/>.
    /// </exception>
    public virtual async Task SendMessagesAsync(IEnumerable<LoireMessage> messages, CancellationToken cancellationToken = default)
    {
        var batch = Materialize(messages);
        if (batch.Count == 0)
        {
            ObjectDisposedException.ThrowIf(IsClosed, this);
            return;
        }

        await SendCoreAsync(batch, "send", RetryKind.Idempotent, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the sender; later operations throw <see cref="ObjectDisposedException"/>. Nothing is in flight to wait for.</summary>
    /// <param name="cancellationToken">Unused; present for symmetry with the other operations.</param>
    public virtual Task CloseAsync(CancellationToken cancellationToken = default)
    {
        _closed = true;
        return Task.CompletedTask;
    }

    /// <summary>Closes the sender.</summary>
    public virtual async ValueTask DisposeAsync()
    {
        await CloseAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc />
    public override string ToString() => $"LoireSender({_entityPath})";

    private static List<LoireMessage> Materialize(IEnumerable<LoireMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = new List<LoireMessage>(messages is ICollection<LoireMessage> collection ? collection.Count : 4);
        foreach (var message in messages)
        {
            list.Add(message ?? throw new ArgumentException("The batch contains a null message.", nameof(messages)));
        }

        return list;
    }

    private async Task<long[]> SendCoreAsync(IReadOnlyList<LoireMessage> messages, string operation, RetryKind retryKind, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(IsClosed, this);
        using var activity = LoireTelemetry.StartSend(_entityPath, operation, messages);
        try
        {
            var outgoing = ToOutgoing(messages, activity ?? Activity.Current);
            if (activity is not null && outgoing.Length == 1)
            {
                // Known only now: a message without one got its MessageId in ToOutgoing.
                activity.SetTag("messaging.message.id", outgoing[0].MessageId);
            }

            var description = await GetDescriptionAsync(cancellationToken).ConfigureAwait(false);
            var target = new SendTarget(description.Kind, PartitionPath(description, outgoing), _entityPath);
            // Scheduling must not be repeated after an ambiguous failure, so only plain sends share calls.
            return retryKind == RetryKind.Idempotent
                ? await _client.Sends.SendAsync(target, outgoing, cancellationToken).ConfigureAwait(false)
                : await _client.SendToGrainAsync(target, outgoing, operation, retryKind, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            if (exception is LoireException { Reason: LoireErrorReason.MessagingEntityNotFound })
            {
                // The entity may be recreated as the other kind or with other partitions; look it up again next time.
                Volatile.Write(ref _description, null);
            }

            LoireTelemetry.RecordError(activity, exception);
            throw;
        }
    }

    private OutgoingMessage[] ToOutgoing(IReadOnlyList<LoireMessage> messages, Activity? traceContext)
    {
        if (messages.Count > MaxBatchMessageCount)
        {
            throw Validation.Invalid(
                $"A batch holds at most {MaxBatchMessageCount} messages; this one has {messages.Count}. Split it into several sends.", _entityPath);
        }

        string? traceParent = null;
        string? traceState = null;
        if (traceContext is { IdFormat: ActivityIdFormat.W3C })
        {
            traceParent = traceContext.Id;
            traceState = traceContext.TraceStateString;
        }

        var outgoing = new OutgoingMessage[messages.Count];
        long totalSize = 0;
        for (var i = 0; i < outgoing.Length; i++)
        {
            outgoing[i] = messages[i].ToOutgoing(_entityPath, traceParent, traceState, shareBody: _client.SerializesCalls);
            totalSize += outgoing[i].EstimateSize();
        }

        if (totalSize > MaxBatchSizeInBytes)
        {
            throw new LoireException(LoireErrorReason.MessageSizeExceeded,
                $"The {(outgoing.Length == 1 ? "message" : "batch")} is {totalSize} bytes; one send carries at most {MaxBatchSizeInBytes} bytes.",
                _entityPath);
        }

        return outgoing;
    }

    /// <summary>
    /// The grain a batch goes to: the partition its keys map to (a retried batch finds the same one), else the next
    /// partition in turn so unkeyed sends spread.
    /// </summary>
    private string PartitionPath(EntityDescription description, OutgoingMessage[] outgoing)
    {
        var options = description.Options;
        if (options.PartitionCount <= 1)
        {
            return _entityPath;
        }

        var index = MessagePartitioner.SelectPartition(outgoing, options.PartitionCount, options.RequiresDuplicateDetection, _entityPath)
            ?? EntityPartitions.NextInTurn(ref _nextPartition, options.PartitionCount);
        return EntityPartitions.GrainPath(_entityPath, index);
    }

    /// <summary>What <see cref="EntityPath"/> is (queue or topic, partitions), asked of the catalog once and remembered.</summary>
    private async ValueTask<EntityDescription> GetDescriptionAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _description) is { } known)
        {
            return known;
        }

        var path = _entityPath;
        var description = await _client.Executor.ExecuteAsync("find entity", path, RetryKind.Idempotent,
            (grains, ct) => new ValueTask<EntityDescription?>(grains.Catalog.FindAsync(path, ct)),
            cancellationToken).ConfigureAwait(false);
        if (description is null)
        {
            throw new LoireException(LoireErrorReason.MessagingEntityNotFound, $"No queue or topic named '{path}' exists.", path);
        }

        if (description.Kind is not (EntityKind.Queue or EntityKind.Topic))
        {
            throw new LoireException(LoireErrorReason.InvalidArgument,
                $"'{path}' is a {description.Kind}; messages are sent to queues and topics only.", path);
        }

        Volatile.Write(ref _description, description);
        return description;
    }
}
