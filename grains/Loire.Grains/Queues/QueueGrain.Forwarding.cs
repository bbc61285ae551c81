using Loire.Client;
using Loire.Entities;
using Loire.Grains.Diagnostics;
using Loire.Grains.Messaging;
using Loire.Grains.Persistence;
using Loire.Messages;
using Loire.Partitions;
using Loire.Storage;
using Microsoft.Extensions.Logging;

namespace Loire.Grains.Queues;

/// <summary>
/// Auto-forwarding. An entity with ForwardTo stores nothing: it hands each accepted batch to its target (queue or
/// topic) and acknowledges once the target holds it durably, with the target's sequence numbers. An entity with
/// ForwardDeadLetteredMessagesTo dead-letters as usual (durably, locally), then a timer sends those messages to the
/// target, with the dead-letter reason and description as application properties, and deletes them locally once the
/// target acknowledged: at-least-once, a crash in between forwards a message twice.
/// </summary>
internal sealed partial class QueueGrain
{
    /// <summary>Application property carrying the dead-letter reason of a forwarded dead letter.</summary>
    internal const string DeadLetterReasonProperty = "DeadLetterReason";

    /// <summary>Application property carrying the dead-letter error description of a forwarded dead letter.</summary>
    internal const string DeadLetterErrorDescriptionProperty = "DeadLetterErrorDescription";

    /// <summary>Application property naming the entity a forwarded dead letter comes from.</summary>
    internal const string DeadLetterSourceProperty = "DeadLetterSource";

    private const int MaxDeadLettersPerForward = 100;
    private static readonly TimeSpan DeadLetterForwardPeriod = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan DeadLetterForwardRetryDelay = TimeSpan.FromSeconds(5);

    private readonly Dictionary<string, EntityDescription> _forwardTargets = new(StringComparer.Ordinal);
    private int _nextTargetPartition = Random.Shared.Next();
    private readonly Queue<MessageEntry> _deadLetterOutbox = new();
    private IGrainTimer? _deadLetterTimer;
    private DateTimeOffset? _deadLetterRetryAt;

    /// <summary>Where a send or a topic's delivery goes: to the ForwardTo target, through duplicate detection, or straight to the store.</summary>
    private async Task<long[]> AcceptAsync(EntityDocument document, OutgoingMessage[] messages, CancellationToken cancellationToken, long[]? assignedNumbers = null)
    {
        if (document.Description.Options.ForwardTo is { } target)
        {
            return await ForwardAsync(document, target, messages, cancellationToken);
        }

        if (Duplicates is { } duplicates && messages is { Length: > 0 })
        {
            return await AppendWithoutDuplicatesAsync(document, duplicates, messages, cancellationToken, assignedNumbers);
        }

        return await AppendAsync(document, messages, cancellationToken, assignedNumbers);
    }

    private async Task<long[]> ForwardAsync(EntityDocument document, string target, OutgoingMessage[] messages, CancellationToken cancellationToken)
    {
        if (messages is null || messages.Length == 0)
        {
            return [];
        }

        var description = document.Description;
        OutgoingMessageValidator.Validate(messages, description, brokerOptions.Value.MaxMessageSizeBytes);
        cancellationToken.ThrowIfCancellationRequested();
        var outgoing = ApplyDefaultTimeToLive(messages, description.Options.DefaultMessageTimeToLive);
        if (Duplicates is not { } duplicates)
        {
            var forwarded = await SendToEntityAsync(target, outgoing, cancellationToken);
            instruments.Sent(Path, outgoing.Length);
            return forwarded;
        }

        var plan = duplicates.Plan(outgoing, time.GetUtcNow());
        if (!plan.IsAllDuplicates)
        {
            long[] forwarded;
            try
            {
                forwarded = await SendToEntityAsync(target, [.. plan.Unique], cancellationToken);
            }
            catch
            {
                duplicates.Abort(plan);
                throw;
            }

            duplicates.Commit(plan, forwarded);
            instruments.Sent(Path, plan.Unique.Count);
            await PersistForwardedHistoryAsync(plan);
        }

        await DuplicateDetector.CompleteWaitsAsync(plan, Path);
        EnsureDuplicatePruning();
        return plan.Results;
    }

    /// <summary>
    /// Cancels scheduled messages at a forwarding queue's target, which holds them under the numbers the sender got;
    /// false when this is not a forwarding queue. (A forwarding subscription gets the topic's numbers, which mean
    /// nothing at its target: there is nothing to cancel.)
    /// </summary>
    private async Task<bool> TryForwardCancelScheduledAsync(long[] sequenceNumbers, CancellationToken cancellationToken)
    {
        if (_document?.Description is not { Kind: EntityKind.Queue, Options.ForwardTo: { } target })
        {
            return false;
        }

        var description = await ResolveForwardTargetAsync(target, cancellationToken);
        foreach (var (index, numbers) in EntityPartitions.GroupByPartition(sequenceNumbers, description.Options.PartitionCount, EntityPartitions.PartitionOfSequenceNumber))
        {
            await EntityGrains.Get(GrainFactory, description.Kind, EntityPartitions.GrainPath(target, index))
                .CancelScheduledAsync([.. numbers], cancellationToken);
        }

        return true;
    }

    /// <summary>
    /// Sends to a queue or topic by path; durable there when it returns. A target that no longer exists fails with
    /// MessagingEntityDisabled naming this entity (not MessagingEntityNotFound, which would say this entity is gone).
    /// </summary>
    private async Task<long[]> SendToEntityAsync(string target, OutgoingMessage[] messages, CancellationToken cancellationToken)
    {
        using var activity = BrokerTracing.StartForward(Path, target, messages);
        try
        {
            return await SendToTargetAsync(target, messages, cancellationToken);
        }
        catch (Exception exception)
        {
            BrokerTracing.RecordError(activity, exception);
            throw;
        }
    }

    private async Task<long[]> SendToTargetAsync(string target, OutgoingMessage[] messages, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var description = await ResolveForwardTargetAsync(target, cancellationToken);
            try
            {
                return description.Options.PartitionCount > 1
                    ? await SendToPartitionsAsync(description, messages, cancellationToken)
                    : await SendToGrainAsync(description.Kind, target, messages, cancellationToken);
            }
            catch (LoireException exception) when (exception.Reason == LoireErrorReason.MessagingEntityNotFound
                && exception.EntityPath is { } missing && string.Equals(EntityPartitions.Parse(missing).EntityPath, target, StringComparison.Ordinal))
            {
                // Deleted, or recreated as the other kind: look it up once more.
                _forwardTargets.Remove(target);
                if (attempt > 0)
                {
                    throw MissingTarget(target, exception);
                }
            }
        }
    }

    /// <summary>
    /// Sends to a partitioned target: each keyed message to its key's partition, the unkeyed ones together to the next
    /// partition in turn. Sequence numbers come back in message order. If one partition fails, the others may have
    /// stored their share: the caller's retry may then store those twice (at-least-once), unless the target detects
    /// duplicates, in which case every message is keyed by its MessageId and lands where its first copy is.
    /// </summary>
    private async Task<long[]> SendToPartitionsAsync(EntityDescription target, OutgoingMessage[] messages, CancellationToken cancellationToken)
    {
        var options = target.Options;
        var spread = EntityPartitions.NextInTurn(ref _nextTargetPartition, options.PartitionCount);
        var groups = EntityPartitions.GroupByPartition(Enumerable.Range(0, messages.Length), options.PartitionCount,
            i => MessagePartitioner.SelectPartition([messages[i]], options.PartitionCount, options.RequiresDuplicateDetection, target.Path) ?? spread);
        var numbers = new long[messages.Length];
        await Task.WhenAll(groups.Select(async group =>
        {
            var batch = group.Value.Select(i => messages[i]).ToArray();
            var stored = await SendToGrainAsync(target.Kind, EntityPartitions.GrainPath(target.Path, group.Key), batch, cancellationToken);
            for (var i = 0; i < stored.Length; i++)
            {
                numbers[group.Value[i]] = stored[i];
            }
        }));
        return numbers;
    }

    private ValueTask<long[]> SendToGrainAsync(EntityKind kind, string grainPath, OutgoingMessage[] messages, CancellationToken cancellationToken) =>
        EntityGrains.Get(GrainFactory, kind, grainPath).SendAsync(messages, cancellationToken);

    private async Task<EntityDescription> ResolveForwardTargetAsync(string target, CancellationToken cancellationToken)
    {
        if (_forwardTargets.TryGetValue(target, out var known))
        {
            return known;
        }

        var record = await store.GetEntityAsync(target, cancellationToken);
        if (record is null || record.Kind is not ((int)EntityKind.Queue or (int)EntityKind.Topic))
        {
            throw MissingTarget(target, null);
        }

        var description = codec.DecodeEntity(record).Description;
        _forwardTargets[target] = description;
        return description;
    }

    private LoireException MissingTarget(string target, Exception? inner) => new(LoireErrorReason.MessagingEntityDisabled,
        $"'{Path}' forwards to '{target}', which is not an existing queue or topic; nothing was accepted.", Path, inner);

    private static OutgoingMessage[] ApplyDefaultTimeToLive(OutgoingMessage[] messages, TimeSpan defaultTtl)
    {
        if (defaultTtl == TimeSpan.MaxValue)
        {
            return messages;
        }

        var result = new OutgoingMessage[messages.Length];
        for (var i = 0; i < messages.Length; i++)
        {
            var message = messages[i];
            result[i] = message.TimeToLive is null || message.TimeToLive > defaultTtl ? message with { TimeToLive = defaultTtl } : message;
        }

        return result;
    }

    /// <summary>Called whenever a message lands in the dead-letter queue: claims it for forwarding when the entity forwards dead letters.</summary>
    private void OnDeadLettered(MessageEntry entry)
    {
        if (_document?.Description.Options.ForwardDeadLetteredMessagesTo is null)
        {
            return;
        }

        ClaimDeadLetter(entry);
        EnsureDeadLetterForwarding();
    }

    /// <summary>Claims every dead letter nobody holds (after activation, or to retry after a failure).</summary>
    private void ResumeDeadLetterForwarding()
    {
        if (_document?.Description.Options.ForwardDeadLetteredMessagesTo is null)
        {
            return;
        }

        foreach (var entry in _index.Entries)
        {
            if (entry.SubQueue == SubQueueKind.DeadLetter && !entry.IsLocked && !entry.IsSettling && !entry.IsRemoved)
            {
                ClaimDeadLetter(entry);
            }
        }

        EnsureDeadLetterForwarding();
    }

    /// <summary>Takes a dead letter out of reach of receivers, purges and resubmits while it is being forwarded.</summary>
    private void ClaimDeadLetter(MessageEntry entry)
    {
        entry.IsSettling = true;
        _index.Withdraw(entry);
        _deadLetterOutbox.Enqueue(entry);
    }

    private void ReleaseDeadLetter(MessageEntry entry)
    {
        entry.IsSettling = false;
        if (!entry.IsRemoved)
        {
            _index.MakeAvailable(entry);
        }
    }

    private void EnsureDeadLetterForwarding()
    {
        if (_deadLetterTimer is null && (_deadLetterOutbox.Count > 0 || _deadLetterRetryAt is not null))
        {
            // Kept alive while dead letters wait to be forwarded (or to be retried): nothing else would wake the
            // entity to finish the job.
            _deadLetterTimer = this.RegisterGrainTimer(ForwardDeadLettersAsync, new GrainTimerCreationOptions(TimeSpan.Zero, DeadLetterForwardPeriod)
            {
                Interleave = true,
                KeepAlive = true,
            });
        }
    }

    private async Task ForwardDeadLettersAsync(CancellationToken cancellationToken)
    {
        var target = _document?.Description.Options.ForwardDeadLetteredMessagesTo;
        if (target is not null && _deadLetterRetryAt <= time.GetUtcNow())
        {
            _deadLetterRetryAt = null;
            ResumeDeadLetterForwarding();
        }

        while (target is not null && _deadLetterOutbox.Count > 0)
        {
            var entries = new List<MessageEntry>(Math.Min(_deadLetterOutbox.Count, MaxDeadLettersPerForward));
            while (entries.Count < MaxDeadLettersPerForward && _deadLetterOutbox.TryDequeue(out var entry))
            {
                if (!entry.IsRemoved)
                {
                    entries.Add(entry);
                }
            }

            if (entries.Count > 0 && !await ForwardDeadLetterBatchAsync(target, entries))
            {
                // Whatever could not be forwarded waits in the dead-letter queue, visible, until the retry.
                while (_deadLetterOutbox.TryDequeue(out var entry))
                {
                    ReleaseDeadLetter(entry);
                }

                _deadLetterRetryAt = time.GetUtcNow() + DeadLetterForwardRetryDelay;
                break;
            }

            target = _document?.Description.Options.ForwardDeadLetteredMessagesTo;
        }

        if (target is null)
        {
            _deadLetterOutbox.Clear();
            _deadLetterRetryAt = null;
        }

        if (_deadLetterOutbox.Count == 0 && _deadLetterRetryAt is null)
        {
            _deadLetterTimer?.Dispose();
            _deadLetterTimer = null;
        }
    }

    /// <summary>Forwards claimed dead letters (one by one when the batch is refused), then deletes the forwarded ones; true when all went.</summary>
    private async Task<bool> ForwardDeadLetterBatchAsync(string target, List<MessageEntry> entries)
    {
        List<MessageEntry> forwarded;
        try
        {
            await SendToEntityAsync(target, [.. entries.Select(ToForwardedDeadLetter)], CancellationToken.None);
            forwarded = entries;
        }
        catch (Exception exception)
        {
            LogDeadLetterForwardFailed(Path, target, entries.Count, exception);
            forwarded = [];
            if (entries.Count > 1)
            {
                // One message the target refuses (size, quota) must not hold back the others.
                foreach (var entry in entries)
                {
                    try
                    {
                        await SendToEntityAsync(target, [ToForwardedDeadLetter(entry)], CancellationToken.None);
                        forwarded.Add(entry);
                    }
                    catch (Exception single)
                    {
                        LogDeadLetterForwardFailed(Path, target, 1, single);
                        ReleaseDeadLetter(entry);
                    }
                }
            }
            else
            {
                ReleaseDeadLetter(entries[0]);
            }
        }

        if (forwarded.Count == 0)
        {
            return false;
        }

        var batch = new StoreBatch();
        foreach (var entry in forwarded)
        {
            batch.DeleteMessage(Path, entry.SequenceNumber);
        }

        try
        {
            await WriteAsync(batch, CancellationToken.None);
        }
        catch
        {
            // Forwarded but still stored here: they go back to the dead-letter queue and are forwarded again later.
            foreach (var entry in forwarded)
            {
                ReleaseDeadLetter(entry);
            }

            return false;
        }

        foreach (var entry in forwarded)
        {
            entry.IsSettling = false;
            _index.Remove(entry);
        }

        return forwarded.Count == entries.Count;
    }

    private OutgoingMessage ToForwardedDeadLetter(MessageEntry entry)
    {
        var message = entry.Stored.Message;
        var properties = message.ApplicationProperties is { } existing
            ? new Dictionary<string, object>(existing, StringComparer.Ordinal)
            : new Dictionary<string, object>(StringComparer.Ordinal);
        if (entry.DeadLetterReason is { } reason)
        {
            properties[DeadLetterReasonProperty] = reason;
        }

        if (entry.DeadLetterErrorDescription is { } description)
        {
            properties[DeadLetterErrorDescriptionProperty] = description;
        }

        properties[DeadLetterSourceProperty] = Path;
        return message with { ApplicationProperties = properties, ScheduledEnqueueTime = null };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Forwarding {Count} dead letters of {Entity} to {Target} failed; they stay in the dead-letter queue and are retried")]
    private partial void LogDeadLetterForwardFailed(string entity, string target, int count, Exception exception);
}
