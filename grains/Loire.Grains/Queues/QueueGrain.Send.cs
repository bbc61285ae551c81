using Loire.Client;
using Loire.Entities;
using Loire.Grains.Diagnostics;
using Loire.Grains.Messaging;
using Loire.Grains.Persistence;
using Loire.Messages;
using Loire.Storage;

namespace Loire.Grains.Queues;

internal sealed partial class QueueGrain
{
    // Messages admitted but not yet durable still count against the quota.
    private long _pendingCount;
    private long _pendingBytes;

    public async ValueTask<long[]> SendAsync(OutgoingMessage[] messages, CancellationToken cancellationToken = default)
    {
        var document = RequireEntity(EntityKind.Queue);
        RequireOwnPartition(document, messages);
        return await AcceptAsync(document, messages, cancellationToken);
    }

    public async ValueTask DeliverAsync(OutgoingMessage[] messages, long[] sequenceNumbers, CancellationToken cancellationToken = default)
    {
        if (sequenceNumbers is null || sequenceNumbers.Length != messages?.Length)
        {
            throw new LoireException(LoireErrorReason.InvalidArgument, "A delivery needs one sequence number per message.", Path);
        }

        await AcceptAsync(RequireEntity(EntityKind.Subscription), messages, cancellationToken, sequenceNumbers);
    }

    /// <summary>Stores a batch; numbers it unless the caller (a topic) already did.</summary>
    private async Task<long[]> AppendAsync(EntityDocument document, OutgoingMessage[] messages, CancellationToken cancellationToken, long[]? assignedNumbers = null)
    {
        if (messages is null || messages.Length == 0)
        {
            return [];
        }

        var options = document.Description.Options;
        var batchBytes = OutgoingMessageValidator.Validate(messages, document.Description, brokerOptions.Value.MaxMessageSizeBytes);
        CheckQuota(options, messages.Length, batchBytes);
        cancellationToken.ThrowIfCancellationRequested();

        var now = time.GetUtcNow();
        // Room for every message, its duplicate-detection record and the depth; only a raised ceiling (rare) grows it.
        var batch = new StoreBatch(messages.Length * (options.RequiresDuplicateDetection ? 2 : 1) + 1);
        var payloads = new RentedPayloads();
        if (assignedNumbers is null)
        {
            ReserveSequenceNumbers(document, messages.Length, batch);
        }

        var entries = new MessageEntry[messages.Length];
        var sequenceNumbers = new long[messages.Length];
        for (var i = 0; i < messages.Length; i++)
        {
            var message = messages[i];
            var stored = new StoredMessage(message, assignedNumbers?[i] ?? _nextSequence++, now, OutgoingMessageValidator.ComputeExpiry(message, options, now));
            var entry = new MessageEntry(stored, message.EstimateSize())
            {
                State = message.ScheduledEnqueueTime > now ? MessageState.Scheduled : MessageState.Active,
            };
            entries[i] = entry;
            sequenceNumbers[i] = stored.SequenceNumber;
            batch.PutMessage(Path, stored.SequenceNumber, codec.EncodeMessage(stored, payloads), ReadOnlyMemory<byte>.Empty);
        }

        AddDuplicateRecords(batch, entries);
        var scheduled = ScheduledIn(entries);
        // One span per commit, whatever the number of messages: a child of their trace context, or linked to each.
        using var activity = BrokerTracing.StartCommit(Path, messages);
        try
        {
            if (CanDeliverEarly(options, entries))
            {
                await WriteDeliveringEarlyAsync(batch, payloads, entries, batchBytes, cancellationToken);
            }
            else
            {
                _pendingCount += messages.Length;
                if (scheduled is { } pending)
                {
                    _pendingScheduled.Add(pending);
                }

                _pendingBytes += batchBytes;
                try
                {
                    await WriteAsync(batch, payloads, cancellationToken);
                }
                finally
                {
                    _pendingCount -= messages.Length;
                    if (scheduled is { } landed)
                    {
                        _pendingScheduled.Remove(landed);
                    }

                    _pendingBytes -= batchBytes;
                }

                if (_document is null)
                {
                    // Deleted while the write was in flight; the delete removed these rows as well.
                    return sequenceNumbers;
                }

                var visibleAt = time.GetUtcNow();
                foreach (var entry in entries)
                {
                    _index.Add(entry, visibleAt);
                }

                DispatchWaiters();
                EnsureTimer();
            }
        }
        catch (Exception exception)
        {
            BrokerTracing.RecordError(activity, exception);
            throw;
        }

        if (_document is not null)
        {
            instruments.Sent(Path, messages.Length);
        }

        return sequenceNumbers;
    }

    // Scheduled messages are not deliverable yet anyway, and session entities keep "delivered implies stored".
    private static bool CanDeliverEarly(EntityOptions options, MessageEntry[] entries) =>
        options.EnableEarlyDelivery && !options.RequiresSession && Array.TrueForAll(entries, e => e.State == MessageState.Active);

    /// <summary>
    /// Queues the batch's commit, then offers its entries to waiting receivers before the commit is durable. This is
    /// safe because the store applies batches in the order they were queued (so every later write about these
    /// entries lands after their put) and a write about a message that does not exist is a no-op. If the commit
    /// fails, the entries leave the index, locked or not, and never come back; settlements wait for the outcome.
    /// </summary>
    private async Task WriteDeliveringEarlyAsync(StoreBatch batch, RentedPayloads payloads, MessageEntry[] entries, long batchBytes, CancellationToken cancellationToken)
    {
        // Counted as pending only while the write is queued, so the depth it carries includes them; from the next
        // line on they are in the index.
        _pendingCount += entries.Length;
        _pendingBytes += batchBytes;
        var write = WriteAsync(batch, payloads, cancellationToken);
        _pendingCount -= entries.Length;
        _pendingBytes -= batchBytes;

        if (write.IsCompleted)
        {
            // Refused before it was queued (cancelled, store stopped): nothing to offer early, the error goes to the sender.
            await write;
        }

        // Entries in the index count against the quota from here on, so they are not also counted as pending.
        var outcome = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var visibleAt = time.GetUtcNow();
        foreach (var entry in entries)
        {
            entry.PendingCommit = outcome.Task;
            _index.Add(entry, visibleAt);
        }

        DispatchWaiters();
        EnsureTimer();
        try
        {
            await write;
        }
        catch
        {
            // Not durable: withdraw every copy so nothing of this batch is delivered (again) from memory.
            foreach (var entry in entries)
            {
                _index.Remove(entry);
            }

            throw;
        }
        finally
        {
            foreach (var entry in entries)
            {
                entry.PendingCommit = null;
            }

            outcome.SetResult();
        }
    }

    /// <summary>
    /// Waits until none of <paramref name="entries"/> is still being committed by an early-delivering send, so a
    /// write about them is only decided once they are known durable; those whose commit failed are removed by then.
    /// </summary>
    private static async ValueTask WaitForCommitsAsync(IEnumerable<MessageEntry> entries)
    {
        foreach (var entry in entries)
        {
            if (entry.PendingCommit is { } pending)
            {
                await pending;
            }
        }
    }

    /// <summary>Waits for <paramref name="entries"/>' pending commits, then takes out those whose commit failed.</summary>
    private static async ValueTask DropUncommittedAsync(List<MessageEntry> entries)
    {
        await WaitForCommitsAsync(entries);
        entries.RemoveAll(e => e.IsRemoved);
    }

    private void CheckQuota(EntityOptions options, int count, long bytes)
    {
        var maxBytes = options.MaxSizeInMegabytes * 1024 * 1024;
        if (_index.SizeInBytes + _pendingBytes + bytes > maxBytes)
        {
            throw new LoireException(LoireErrorReason.QuotaExceeded,
                $"The entity holds {_index.SizeInBytes + _pendingBytes} bytes; adding {bytes} would pass its limit of {options.MaxSizeInMegabytes} MB.", Path);
        }

        if (options.MaxMessageCount is { } maxCount && _index.TotalCount + _pendingCount + count > maxCount)
        {
            throw new LoireException(LoireErrorReason.QuotaExceeded,
                $"The entity holds {_index.TotalCount + _pendingCount} messages; adding {count} would pass its limit of {maxCount}.", Path);
        }
    }

    /// <summary>Raises the persisted sequence ceiling in the same batch when this send would pass it.</summary>
    private void ReserveSequenceNumbers(EntityDocument document, int count, StoreBatch batch)
    {
        if (_nextSequence + count <= document.SequenceCeiling)
        {
            return;
        }

        var updated = document with { SequenceCeiling = _nextSequence + count + SequenceBlock };
        _document = updated;
        batch.PutEntity(codec.EncodeEntity(updated));
    }
}
