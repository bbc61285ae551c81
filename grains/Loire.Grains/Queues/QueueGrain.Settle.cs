using Loire.Client;
using Loire.Grains.Diagnostics;
using Loire.Messages;
using Loire.Storage;

namespace Loire.Grains.Queues;

internal sealed partial class QueueGrain
{
    /// <summary>The reason a message gets when it was delivered MaxDeliveryCount times.</summary>
    internal const string MaxDeliveryCountExceeded = "MaxDeliveryCountExceeded";

    /// <summary>The reason a message gets when its time to live ran out.</summary>
    internal const string TimeToLiveExpired = "TTLExpiredException";

    private const int MaxReasonLength = 4096;

    public async ValueTask<Guid[]> SettleAsync(Settlement[] settlements, CancellationToken cancellationToken = default)
    {
        var options = RequireEntity().Description.Options;
        if (settlements is null || settlements.Length == 0)
        {
            return [];
        }

        foreach (var settlement in settlements)
        {
            if (settlement.DeadLetterReason?.Length > MaxReasonLength || settlement.DeadLetterErrorDescription?.Length > MaxReasonLength)
            {
                throw new LoireException(LoireErrorReason.InvalidArgument, $"Dead-letter reason and description must be at most {MaxReasonLength} characters.", Path);
            }
        }

        var now = time.GetUtcNow();
        List<Guid>? lost = null;
        var accepted = new List<(MessageEntry Entry, Settlement Settlement)>(settlements.Length);
        var batch = new StoreBatch(settlements.Length + 1);
        foreach (var settlement in settlements)
        {
            if (!_index.TryGetLocked(settlement.LockToken, out var entry) || entry.IsSettling || entry.LockedUntil < now)
            {
                (lost ??= []).Add(settlement.LockToken);
                continue;
            }

            entry.IsSettling = true;
            accepted.Add((entry, settlement));
        }

        // An early-delivered message is settled only once its send is durable; if that failed, its lock is lost.
        await WaitForCommitsAsync(accepted.Select(a => a.Entry));
        foreach (var (entry, settlement) in accepted)
        {
            if (entry.IsRemoved)
            {
                (lost ??= []).Add(settlement.LockToken);
                continue;
            }

            AddSettlement(batch, entry, settlement, options.MaxDeliveryCount);
        }

        accepted.RemoveAll(a => a.Entry.IsRemoved);

        if (accepted.Count > 0)
        {
            using var activity = BrokerTracing.StartSettlement(Path, accepted);
            try
            {
                await WriteAsync(batch, CancellationToken.None);
            }
            catch (Exception exception)
            {
                BrokerTracing.RecordError(activity, exception);
                foreach (var (entry, _) in accepted)
                {
                    entry.IsSettling = false;

                    // The timer drops lock expiries of settling entries; watch this lock again so it still runs out.
                    _index.RenewLock(entry, entry.LockedUntil);
                }

                throw;
            }

            var completed = 0;
            foreach (var (entry, settlement) in accepted)
            {
                entry.IsSettling = false;
                if (ApplySettlement(entry, settlement, options.MaxDeliveryCount) == SettlementKind.Complete)
                {
                    completed++;
                }
            }

            // Counted once per call: the instruments cost a lookup per tag set and call.
            if (completed > 0)
            {
                instruments.Completed(Path, completed);
            }

            DispatchWaiters();
        }

        return lost?.ToArray() ?? [];
    }

    public ValueTask<DateTimeOffset?[]> RenewLocksAsync(Guid[] lockTokens, CancellationToken cancellationToken = default)
    {
        var options = RequireEntity().Description.Options;
        var now = time.GetUtcNow();
        var result = new DateTimeOffset?[lockTokens?.Length ?? 0];
        for (var i = 0; i < result.Length; i++)
        {
            if (_index.TryGetLocked(lockTokens![i], out var entry) && !entry.IsSettling && entry.LockedUntil >= now)
            {
                var lockedUntil = now + options.LockDuration;
                _index.RenewLock(entry, lockedUntil);
                result[i] = lockedUntil;
            }
        }

        return ValueTask.FromResult(result);
    }

    public async Task CancelScheduledAsync(long[] sequenceNumbers, CancellationToken cancellationToken = default)
    {
        RequireEntity();
        if (await TryForwardCancelScheduledAsync(sequenceNumbers, cancellationToken))
        {
            return;
        }

        var cancelled = new List<MessageEntry>();
        var batch = new StoreBatch();
        foreach (var sequenceNumber in (sequenceNumbers ?? []).Distinct())
        {
            if (_index.TryGet(sequenceNumber, out var entry) && entry.State == MessageState.Scheduled && !entry.IsSettling)
            {
                entry.IsSettling = true;
                cancelled.Add(entry);
                batch.DeleteMessage(Path, sequenceNumber);
            }
        }

        if (cancelled.Count == 0)
        {
            return;
        }

        try
        {
            await WriteAsync(batch, CancellationToken.None);
        }
        finally
        {
            foreach (var entry in cancelled)
            {
                entry.IsSettling = false;
            }
        }

        foreach (var entry in cancelled)
        {
            _index.Remove(entry);
        }
    }

    private void AddSettlement(StoreBatch batch, MessageEntry entry, Settlement settlement, int maxDeliveryCount)
    {
        switch (settlement.Kind)
        {
            case SettlementKind.Complete:
                batch.DeleteMessage(Path, entry.SequenceNumber);
                break;
            case SettlementKind.Abandon when ExceedsDeliveryCount(entry, maxDeliveryCount):
                batch.UpdateMessageState(Path, entry.SequenceNumber, codec.EncodeState(
                    MessageState.Active, SubQueueKind.DeadLetter, entry.DeliveryCount, MaxDeliveryCountExceeded, DeliveryCountDescription(maxDeliveryCount), null));
                break;
            case SettlementKind.Abandon:
                batch.UpdateMessageState(Path, entry.SequenceNumber, EncodeState(entry, entry.State, entry.SubQueue));
                break;
            case SettlementKind.DeadLetter:
                batch.UpdateMessageState(Path, entry.SequenceNumber, codec.EncodeState(
                    MessageState.Active, SubQueueKind.DeadLetter, entry.DeliveryCount, settlement.DeadLetterReason, settlement.DeadLetterErrorDescription, null));
                break;
            case SettlementKind.Defer:
                batch.UpdateMessageState(Path, entry.SequenceNumber, EncodeState(entry, MessageState.Deferred, entry.SubQueue));
                break;
            default:
                throw new LoireException(LoireErrorReason.InvalidArgument, $"Unknown settlement kind {settlement.Kind}.", Path);
        }
    }

    /// <summary>Applies a durable settlement to the index; returns its kind, or null when the entity is gone.</summary>
    private SettlementKind? ApplySettlement(MessageEntry entry, Settlement settlement, int maxDeliveryCount)
    {
        if (_document is null)
        {
            return null;
        }

        switch (settlement.Kind)
        {
            case SettlementKind.Complete:
                _index.Remove(entry);
                break;
            case SettlementKind.Abandon when ExceedsDeliveryCount(entry, maxDeliveryCount):
                _index.Unlock(entry);
                MoveToDeadLetter(entry, MaxDeliveryCountExceeded, DeliveryCountDescription(maxDeliveryCount));
                break;
            case SettlementKind.Abandon:
                _index.Release(entry);
                instruments.Abandoned(Path, 1);
                break;
            case SettlementKind.DeadLetter:
                _index.Unlock(entry);
                MoveToDeadLetter(entry, settlement.DeadLetterReason, settlement.DeadLetterErrorDescription);
                break;
            case SettlementKind.Defer:
                _index.Unlock(entry);
                _index.Transition(entry, MessageState.Deferred, entry.SubQueue);
                break;
        }

        return settlement.Kind;
    }

    private void MoveToDeadLetter(MessageEntry entry, string? reason, string? description)
    {
        entry.DeadLetterReason = reason;
        entry.DeadLetterErrorDescription = description;
        _index.Transition(entry, MessageState.Active, SubQueueKind.DeadLetter);
        instruments.DeadLettered(Path, 1);
        OnDeadLettered(entry);
    }

    // Messages in the dead-letter queue never move further, and deferred ones stay deferred until settled.
    private static bool ExceedsDeliveryCount(MessageEntry entry, int maxDeliveryCount) =>
        entry.SubQueue == SubQueueKind.None && entry.State == MessageState.Active && entry.DeliveryCount >= maxDeliveryCount;

    private static string DeliveryCountDescription(int maxDeliveryCount) =>
        $"The message was delivered {maxDeliveryCount} times without being completed.";
}
