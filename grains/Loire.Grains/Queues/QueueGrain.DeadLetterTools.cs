using Loire.Grains.Messaging;
using Loire.Grains.Persistence;
using Loire.Messages;
using Loire.Storage;

namespace Loire.Grains.Queues;

/// <summary>
/// Administrative tools: purge a sub-queue, resubmit dead letters. Both work on a snapshot of the entries taken when
/// the call arrives, in store batches of at most <see cref="MaxToolOperations"/> messages; an entry being settled,
/// expired, cancelled or forwarded at that moment is left alone.
/// </summary>
internal sealed partial class QueueGrain
{
    private const int MaxToolOperations = 5_000;

    private async Task<long> PurgeOwnAsync(SubQueueKind subQueue, CancellationToken cancellationToken)
    {
        RequireEntity();
        if (subQueue is not (SubQueueKind.None or SubQueueKind.DeadLetter))
        {
            throw new Client.LoireException(Client.LoireErrorReason.InvalidArgument, $"Unknown sub-queue {subQueue}.", Path);
        }

        cancellationToken.ThrowIfCancellationRequested();

        // Locked messages are purged too: their receivers' settlements then report the lock as lost.
        var victims = _index.Entries.Where(e => e.SubQueue == subQueue && !e.IsSettling && !e.IsRemoved).ToList();
        long purged = 0;
        foreach (var chunk in victims.Chunk(MaxToolOperations))
        {
            var batch = new StoreBatch(chunk.Length + 1);
            var claimed = new List<MessageEntry>(chunk.Length);
            foreach (var entry in chunk)
            {
                // Re-checked per chunk: an earlier chunk's write let other turns run.
                if (entry.IsSettling || entry.IsRemoved || entry.SubQueue != subQueue)
                {
                    continue;
                }

                entry.IsSettling = true;
                _index.Withdraw(entry);
                claimed.Add(entry);
                batch.DeleteMessage(Path, entry.SequenceNumber);
            }

            if (claimed.Count == 0)
            {
                continue;
            }

            try
            {
                await WriteAsync(batch, CancellationToken.None);
            }
            catch
            {
                foreach (var entry in claimed)
                {
                    RestoreAfterFailedTool(entry);
                }

                throw;
            }

            foreach (var entry in claimed)
            {
                entry.IsSettling = false;
                if (!entry.IsRemoved)
                {
                    _index.Remove(entry);
                    purged++;
                }
            }
        }

        return purged;
    }

    private async Task<long> ResubmitOwnDeadLettersAsync(long[]? sequenceNumbers, CancellationToken cancellationToken)
    {
        var options = RequireEntity().Description.Options;
        cancellationToken.ThrowIfCancellationRequested();
        IEnumerable<MessageEntry> candidates = sequenceNumbers is null
            ? _index.Entries.Where(e => e.SubQueue == SubQueueKind.DeadLetter)
            : sequenceNumbers.Distinct().Select(n => _index.TryGet(n, out var entry) ? entry : null).Where(e => e is not null).Select(e => e!);

        // A dead letter a receiver holds stays where it is: moving it would pull it from under its lock.
        var selected = candidates.Where(e => e.SubQueue == SubQueueKind.DeadLetter && !e.IsLocked && !e.IsSettling && !e.IsRemoved).ToList();
        long resubmitted = 0;
        foreach (var chunk in selected.Chunk(MaxToolOperations))
        {
            var now = time.GetUtcNow();
            var batch = new StoreBatch(chunk.Length + 1);
            var payloads = new RentedPayloads();
            var claimed = new List<(MessageEntry Entry, MessageEntry? Renewed)>(chunk.Length);
            foreach (var entry in chunk)
            {
                if (entry.IsSettling || entry.IsRemoved || entry.IsLocked || entry.SubQueue != SubQueueKind.DeadLetter)
                {
                    continue;
                }

                entry.IsSettling = true;
                _index.Withdraw(entry);
                if (entry.Stored.ExpiresAt <= now)
                {
                    // Expired (typically why it was dead-lettered): it gets a fresh time to live under the same number,
                    // or it would expire again at once.
                    var message = entry.Stored.Message with { ScheduledEnqueueTime = null };
                    var stored = entry.Stored with { Message = message, ExpiresAt = OutgoingMessageValidator.ComputeExpiry(message, options, now) };
                    claimed.Add((entry, new MessageEntry(stored, entry.Size)));
                    batch.PutMessage(Path, entry.SequenceNumber, codec.EncodeMessage(stored, payloads), ReadOnlyMemory<byte>.Empty);
                }
                else
                {
                    claimed.Add((entry, null));
                    batch.UpdateMessageState(Path, entry.SequenceNumber, codec.EncodeState(MessageState.Active, SubQueueKind.None, 0, null, null, null));
                }
            }

            if (claimed.Count == 0)
            {
                continue;
            }

            try
            {
                await WriteAsync(batch, payloads, CancellationToken.None);
            }
            catch
            {
                foreach (var (entry, _) in claimed)
                {
                    RestoreAfterFailedTool(entry);
                }

                throw;
            }

            var visibleAt = time.GetUtcNow();
            foreach (var (entry, renewed) in claimed)
            {
                entry.IsSettling = false;
                if (entry.IsRemoved)
                {
                    continue;
                }

                resubmitted++;
                if (renewed is not null)
                {
                    _index.Remove(entry);
                    _index.Add(renewed, visibleAt);
                    continue;
                }

                entry.DeliveryCount = 0;
                entry.DeadLetterReason = null;
                entry.DeadLetterErrorDescription = null;
                entry.DeadLetterSource = null;
                _index.Transition(entry, MessageState.Active, SubQueueKind.None);
            }
        }

        if (resubmitted > 0)
        {
            DispatchWaiters();
            EnsureTimer();
        }

        return resubmitted;
    }

    /// <summary>Puts an entry back where it was after a tool's write failed.</summary>
    private void RestoreAfterFailedTool(MessageEntry entry)
    {
        entry.IsSettling = false;
        if (entry.IsRemoved)
        {
            return;
        }

        if (entry.IsLocked)
        {
            // The timer drops lock expiries of settling entries; watch this lock again so it still runs out.
            _index.RenewLock(entry, entry.LockedUntil);
        }
        else
        {
            _index.Release(entry);
        }
    }
}
