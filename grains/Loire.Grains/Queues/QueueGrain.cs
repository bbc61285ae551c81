using Loire.Client;
using Loire.Entities;
using Loire.Grains.AutoDelete;
using Loire.Grains.Diagnostics;
using Loire.Grains.Hosting;
using Loire.Grains.Messaging;
using Loire.Grains.Persistence;
using Loire.Messages;
using Loire.Partitions;
using Loire.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Loire.Grains.Queues;

/// <summary>
/// A queue or a subscription with its dead-letter sub-queue. The grain is reentrant: every method changes the
/// in-memory index only in synchronous sections and awaits nothing but the store, so turns interleave at store
/// writes. Entries being written are marked settling so that timers and other turns leave them alone.
/// </summary>
[Reentrant]
[GrainType("loire-queue")]
internal sealed partial class QueueGrain(
    IMessageStore store,
    GrainPayloadCodec codec,
    IOptions<LoireBrokerOptions> brokerOptions,
    LoireInstruments instruments,
    EntityMetricsRegistry metricsRegistry,
    TimeProvider time,
    ILogger<QueueGrain> logger) : Grain, IQueueGrain
{
    // Sequence numbers are reserved in blocks so a restart can continue above every number ever issued.
    private const long SequenceBlock = 10_000;

    private readonly QueueIndex _index = new();
    private EntityDocument? _document;
    private EntityKind? _foreignKind;
    private long _nextSequence = 1;
    private int _writesInFlight;
    private bool _creating;
    private TaskCompletionSource? _writesDrained;
    private ActivationFence? _fence;

    // GetPrimaryKeyString decodes a new string on every call, and the hot paths name the entity once per message.
    private string? _path;

    private string Path => _path ??= this.GetPrimaryKeyString();

    private readonly LockTokenSource _lockTokens = new();

    private ActivationFence Fence => _fence ??= new ActivationFence(store, Path, logger);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var record = await store.GetEntityAsync(Path, cancellationToken);
        if (record is null)
        {
            return;
        }

        if (record.Kind is not ((int)EntityKind.Queue or (int)EntityKind.Subscription))
        {
            _foreignKind = (EntityKind)record.Kind;
            return;
        }

        // Fenced before anything is loaded, so nothing an older activation still writes can be missing from it.
        if (await Fence.AcquireAsync(cancellationToken) is not { } current)
        {
            return;
        }

        _document = codec.DecodeEntity(current);
        await LoadSessionsAsync(cancellationToken);
        await LoadMessagesAsync(cancellationToken);
        await LoadRoutingStateAsync(cancellationToken);
        metricsRegistry.Publish(Path, GetLockedCount);
        EnsureIdleClock();
        ScheduleDepthRecord();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        FailWaiters(() => new LoireException(LoireErrorReason.ServiceBusy, "The entity is moving; retry the receive.", Path));
        await RecordDepthIfChangedAsync();
        metricsRegistry.Remove(Path);
    }

    public async Task CreateAsync(EntityDescription description, CancellationToken cancellationToken = default)
    {
        if (description.Kind is not (EntityKind.Queue or EntityKind.Subscription))
        {
            throw new LoireException(LoireErrorReason.InvalidArgument, $"A queue grain cannot hold a {description.Kind}.", Path);
        }

        // The grain's key is the entity: a description of another path (which a caller skipping the client can
        // send) must not create this one under a name the caller never gave.
        var pathError = !string.Equals(description.Path, Partition.EntityPath, StringComparison.Ordinal)
            ? $"The description is of '{description.Path}', but this grain holds '{Partition.EntityPath}'."
            : description.Kind == EntityKind.Queue ? EntityPath.GetQueueOrTopicError(Partition.EntityPath)
            : EntityPath.GetSubscriptionPathError(Partition.EntityPath);
        if (pathError is not null)
        {
            throw new LoireException(LoireErrorReason.InvalidArgument, pathError, Path);
        }

        EntityOptionsValidator.Validate(Path, description.Kind, description.Options);
        ThrowIfExists();
        _creating = true;
        try
        {
            await CreateCoreAsync(description, cancellationToken);
        }
        finally
        {
            _creating = false;
        }
    }

    private async Task CreateCoreAsync(EntityDescription description, CancellationToken cancellationToken)
    {
        PartitionSet.RequireIndex(PartitionIndex, description.Options.PartitionCount, Path);
        await RoutingOptionsValidator.ValidateTargetsAsync(store, codec, Path, description.Kind, description.Options, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();

        // Partitions first: once the entity's own record exists, senders may pick any partition.
        await PartitionSet.CreateAllAsync(OtherPartitions(description.Options.PartitionCount), description, cancellationToken);
        var now = time.GetUtcNow();
        var firstSequence = EntityPartitions.FirstSequenceNumber(PartitionIndex);
        var document = new EntityDocument(description with { Path = Path, CreatedAt = now, UpdatedAt = now }, SequenceCeiling: firstSequence);
        await AutoDeleteIndexGrain.AddIfAutoDeletingAsync(GrainFactory, Path, description, cancellationToken);
        if (!await store.TryCreateEntityAsync(codec.EncodeEntity(document), cancellationToken))
        {
            await PartitionSet.DeleteAllAsync(OtherPartitions(description.Options.PartitionCount));
            throw new LoireException(LoireErrorReason.MessagingEntityAlreadyExists, $"An entity named '{Path}' already exists.", Path);
        }

        // Nothing was written yet, so there is nothing to load again.
        if (await Fence.AcquireAsync(CancellationToken.None) is null)
        {
            throw new LoireException(LoireErrorReason.MessagingEntityNotFound, $"'{Path}' was deleted while it was created.", Path);
        }

        _document = document;
        ConfigureSessions();
        _nextSequence = firstSequence;
        metricsRegistry.Publish(Path, GetLockedCount);
        ScheduleDepthRecord();
        LogCreated(Path, description.Kind);
    }

    public Task<EntityDescription> GetDescriptionAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(RequireEntity().Description);

    public async Task DeleteAsync(CancellationToken cancellationToken = default)
    {
        var partitionCount = RequireEntity().Description.Options.PartitionCount;
        await PartitionSet.DeleteAllAsync(OtherPartitions(partitionCount));
        _document = null;
        FailWaiters(() => NotFound());

        // Writes already admitted must land before the delete, so the delete removes them too.
        if (_writesInFlight > 0)
        {
            _writesDrained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await _writesDrained.Task;
        }

        await CommitFencedAsync(DeleteRoutingState(new StoreBatch().DeleteEntity(Path).DeleteEntity(SessionStatePath)), CancellationToken.None);
        foreach (var entry in _index.Entries.ToList())
        {
            _index.Remove(entry);
        }

        metricsRegistry.Remove(Path);
        instruments.Deleted(Path);
        LogDeleted(Path);
        DeactivateOnIdle();
    }

    public async Task SetRulesAsync(RuleDescription[] rules, CancellationToken cancellationToken = default)
    {
        var document = RequireEntity(EntityKind.Subscription);
        var updated = document with
        {
            Description = document.Description with { Rules = [.. rules], UpdatedAt = time.GetUtcNow() },
        };
        _document = updated;
        await WriteAsync(new StoreBatch().PutEntity(codec.EncodeEntity(updated)), cancellationToken);
    }

    public async Task<EntityRuntimeInfo> GetRuntimeInfoAsync(CancellationToken cancellationToken = default)
    {
        var description = RequireEntity().Description;
        return await SumOverOtherPartitionsAsync(GetOwnRuntimeInfo(description), cancellationToken);
    }

    private EntityRuntimeInfo GetOwnRuntimeInfo(EntityDescription description) => new()
    {
        Path = Path,
        ActiveMessageCount = _index.ActiveCount,
        DeadLetterMessageCount = _index.DeadLetterCount,
        ScheduledMessageCount = _index.ScheduledCount,
        DeferredMessageCount = _index.DeferredCount,
        LockedMessageCount = _index.LockedCount,
        TotalMessageCount = _index.TotalCount,
        SizeInBytes = _index.SizeInBytes,
        CreatedAt = description.CreatedAt,
        UpdatedAt = description.UpdatedAt,
        AccessedAt = time.GetUtcNow(),
    };

    private async Task LoadMessagesAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var records = await store.LoadMessagesAsync(Path, cancellationToken);
        var now = time.GetUtcNow();
        var maxSequence = 0L;
        foreach (var record in records)
        {
            _index.Add(ToEntry(record, now), now);
            maxSequence = Math.Max(maxSequence, record.SequenceNumber);
        }

        _nextSequence = Math.Max(maxSequence + 1, _document!.SequenceCeiling);
        EnsureTimer();
        LogLoaded(Path, records.Count, time.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>A stored message record as an index entry.</summary>
    private MessageEntry ToEntry(MessageRecord record, DateTimeOffset now)
    {
        var stored = codec.DecodeMessage(record.Payload);
        var entry = new MessageEntry(stored, stored.Size);
        if (codec.DecodeState(record.State) is { } state)
        {
            entry.State = state.State;
            entry.SubQueue = state.SubQueue;
            entry.DeliveryCount = state.DeliveryCount;
            entry.DeadLetterReason = state.DeadLetterReason;
            entry.DeadLetterErrorDescription = state.DeadLetterErrorDescription;
            entry.DeadLetterSource = state.DeadLetterSource;
        }
        else if (stored.Message.ScheduledEnqueueTime > now)
        {
            entry.State = MessageState.Scheduled;
        }

        return entry;
    }

    /// <summary>Commits a batch while counting it as in flight, so a concurrent delete waits for it.</summary>
    private Task WriteAsync(StoreBatch batch, CancellationToken cancellationToken) => WriteAsync(batch, null, cancellationToken);

    /// <summary>
    /// Commits a batch while counting it as in flight, so a concurrent delete waits for it; returns
    /// <paramref name="payloads"/>, the rented encodings the batch refers to, once the commit has completed, whatever
    /// its outcome and whether or not the caller still awaits it.
    /// </summary>
    private async Task WriteAsync(StoreBatch batch, RentedPayloads? payloads, CancellationToken cancellationToken)
    {
        _writesInFlight++;
        try
        {
            AddDepth(batch);
            await CommitFencedAsync(batch, cancellationToken);
        }
        catch (Exception exception)
        {
            // The depth this write carried may not have landed: the next look records it again.
            _recordedDepth = null;
            if (exception is not OperationCanceledException)
            {
                LogWriteFailed(Path, exception);
            }

            throw;
        }
        finally
        {
            EndWrite();
            payloads?.Dispose();
        }
    }

    /// <summary>Ends a write counted in flight (or a topic's delivery, which counts as one) and has the depth looked at again soon.</summary>
    private void EndWrite()
    {
        if (--_writesInFlight == 0)
        {
            _writesDrained?.TrySetResult();
            _writesDrained = null;
        }

        ScheduleDepthRecord();
    }

    /// <summary>
    /// Puts <paramref name="updated"/> in force at once, as the grain's other catalog writes are, and makes it durable;
    /// taken back if the store refuses it, unless another write built on it since.
    /// </summary>
    private async Task ReplaceDocumentAsync(EntityDocument updated, CancellationToken cancellationToken)
    {
        var previous = _document;
        _document = updated;
        try
        {
            await WriteAsync(new StoreBatch().PutEntity(codec.EncodeEntity(updated)), cancellationToken);
        }
        catch when (ReferenceEquals(_document, updated))
        {
            _document = previous;
            throw;
        }
    }

    private EntityDocument RequireEntity()
    {
        Fence.ThrowIfSuperseded();
        return _document ?? throw NotFound();
    }

    /// <summary>Commits under this activation's epoch; once superseded, the activation fails its waiters and deactivates.</summary>
    private Task CommitFencedAsync(StoreBatch batch, CancellationToken cancellationToken) =>
        Fence.CommitAsync(batch, OnSuperseded, cancellationToken);

    private void OnSuperseded()
    {
        FailWaiters(Fence.Superseded);
        DeactivateOnIdle();
    }

    private EntityDocument RequireEntity(EntityKind kind)
    {
        var document = RequireEntity();
        if (document.Description.Kind != kind)
        {
            throw new LoireException(LoireErrorReason.InvalidArgument,
                $"'{Path}' is a {document.Description.Kind}; this operation needs a {kind}.", Path);
        }

        return document;
    }

    private void ThrowIfExists()
    {
        if (_document is not null || _foreignKind is not null || _creating)
        {
            throw new LoireException(LoireErrorReason.MessagingEntityAlreadyExists, $"An entity named '{Path}' already exists.", Path);
        }
    }

    private LoireException NotFound() => _foreignKind is { } kind
        ? new(LoireErrorReason.MessagingEntityNotFound, $"'{Path}' is a {kind}, not a queue or subscription.", Path)
        : new(LoireErrorReason.MessagingEntityNotFound, $"No queue or subscription named '{Path}'.", Path);

    private long GetLockedCount() => _index.LockedCount;

    private ReadOnlyMemory<byte> EncodeState(MessageEntry entry, MessageState state, SubQueueKind subQueue) =>
        codec.EncodeState(state, subQueue, entry.DeliveryCount, entry.DeadLetterReason, entry.DeadLetterErrorDescription, entry.DeadLetterSource);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created {Kind} {Entity}")]
    private partial void LogCreated(string entity, EntityKind kind);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Entity}")]
    private partial void LogDeleted(string entity);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Loaded {Count} messages of {Entity} in {ElapsedMs:F1} ms")]
    private partial void LogLoaded(string entity, int count, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Store write for {Entity} failed")]
    private partial void LogWriteFailed(string entity, Exception exception);
}
