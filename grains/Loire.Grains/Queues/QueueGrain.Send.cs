using Loire.Client;
using Loire.Entities;
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
        var batch = new StoreBatch();
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
            batch.PutMessage(Path, stored.SequenceNumber, codec.EncodeMessage(stored), ReadOnlyMemory<byte>.Empty);
        }

        AddDuplicateRecords(batch, entries);
        _pendingCount += messages.Length;
        _pendingBytes += batchBytes;
        try
        {
            await WriteAsync(batch, cancellationToken);
        }
        finally
        {
            _pendingCount -= messages.Length;
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

        instruments.Sent(Path, messages.Length);
        DispatchWaiters();
        EnsureTimer();
        return sequenceNumbers;
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
