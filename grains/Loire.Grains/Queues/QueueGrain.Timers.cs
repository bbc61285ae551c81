using Loire.Grains.Diagnostics;
using Loire.Messages;
using Loire.Storage;
using Microsoft.Extensions.Logging;

namespace Loire.Grains.Queues;

internal sealed partial class QueueGrain
{
    // Lock expiry, scheduled visibility and TTL are checked at this granularity while there is timed work.
    private static readonly TimeSpan TimerPeriod = TimeSpan.FromMilliseconds(200);

    private readonly List<MessageEntry> _expiredBacklog = [];
    private IGrainTimer? _timer;

    /// <summary>Locks, scheduled or expiring messages, held sessions, expired messages to move, or links to watch.</summary>
    private bool HasTimedWork => _index.HasTimedWork || _expiredBacklog.Count > 0 || _links.Count > 0;

    private void EnsureTimer()
    {
        if (_timer is null && HasTimedWork)
        {
            _timer = this.RegisterGrainTimer(OnTimerAsync, new GrainTimerCreationOptions(TimerPeriod, TimerPeriod)
            {
                Interleave = true,
                KeepAlive = false,
            });
        }
    }

    /// <summary>Makes scheduled messages whose time came active; true when some did. Traced only when someone listens.</summary>
    private bool ActivateDueScheduled(DateTimeOffset now)
    {
        if (!LoireInstruments.ActivitySource.HasListeners())
        {
            return _index.ActivateDueScheduled(now) > 0;
        }

        var promoted = new List<MessageEntry>();
        _index.ActivateDueScheduled(now, promoted);
        if (promoted.Count > 0)
        {
            // Visible from now on, nothing written: the span marks the moment within the message's trace.
            using var activity = BrokerTracing.StartPromotion(Path, promoted);
        }

        return promoted.Count > 0;
    }

    private async Task OnTimerAsync(CancellationToken cancellationToken)
    {
        if (_document is not { } document)
        {
            return;
        }

        var now = time.GetUtcNow();
        var options = document.Description.Options;
        ExpireLinks(now);
        var changed = ActivateDueScheduled(now);
        var expiredLocks = _index.TakeExpiredLocks(now);
        var expiredMessages = _index.TakeExpiredMessages(now);
        if (_expiredBacklog.Count > 0)
        {
            (expiredMessages ??= []).AddRange(_expiredBacklog);
            _expiredBacklog.Clear();
        }

        if (expiredLocks is not null)
        {
            await ReleaseExpiredLocksAsync(expiredLocks, options.MaxDeliveryCount);
            changed = true;
        }

        if (expiredMessages is not null)
        {
            await ExpireMessagesAsync(expiredMessages, options.DeadLetteringOnMessageExpiration);

            // Dead-lettered ones are new work for receives waiting on the dead-letter queue (and entries whose
            // write failed are available again).
            changed = true;
        }

        changed |= await ExpireSessionLocksAsync(now, options.MaxDeliveryCount);
        if (changed)
        {
            DispatchWaiters();
            ScheduleDepthRecord();
        }

        if (!HasTimedWork)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    /// <summary>Returns messages whose lock ran out; those delivered too often go to the dead-letter queue.</summary>
    private async Task ReleaseExpiredLocksAsync(List<MessageEntry> entries, int maxDeliveryCount)
    {
        // Nothing moves to the dead-letter queue (and on to its forward target) before it is known durable.
        await DropUncommittedAsync(entries);
        var batch = new StoreBatch();
        var toDeadLetter = new List<MessageEntry>();
        foreach (var entry in entries)
        {
            if (ExceedsDeliveryCount(entry, maxDeliveryCount))
            {
                entry.IsSettling = true;
                toDeadLetter.Add(entry);
                batch.UpdateMessageState(Path, entry.SequenceNumber, codec.EncodeState(
                    MessageState.Active, SubQueueKind.DeadLetter, entry.DeliveryCount, MaxDeliveryCountExceeded, DeliveryCountDescription(maxDeliveryCount), null));
            }
            else
            {
                // The delivery count is kept durable so poison messages still dead-letter after a restart.
                _index.Release(entry);
                batch.UpdateMessageState(Path, entry.SequenceNumber, EncodeState(entry, entry.State, entry.SubQueue));
            }
        }

        instruments.Abandoned(Path, entries.Count - toDeadLetter.Count);
        try
        {
            await WriteAsync(batch, CancellationToken.None);
        }
        catch (Exception exception)
        {
            // Retried on a later tick: the entries go back to the available set.
            LogTimerWriteFailed(Path, exception);
            foreach (var entry in toDeadLetter)
            {
                entry.IsSettling = false;
                _index.Release(entry);
            }

            return;
        }

        foreach (var entry in toDeadLetter)
        {
            entry.IsSettling = false;
            if (!entry.IsRemoved)
            {
                MoveToDeadLetter(entry, MaxDeliveryCountExceeded, DeliveryCountDescription(maxDeliveryCount));
            }
        }
    }

    /// <summary>Drops expired messages, or moves them to the dead-letter queue when the entity asks for it.</summary>
    private async Task ExpireMessagesAsync(List<MessageEntry> entries, bool deadLetter)
    {
        await DropUncommittedAsync(entries);
        var batch = new StoreBatch();
        foreach (var entry in entries)
        {
            if (deadLetter)
            {
                batch.UpdateMessageState(Path, entry.SequenceNumber, codec.EncodeState(
                    MessageState.Active, SubQueueKind.DeadLetter, entry.DeliveryCount, TimeToLiveExpired, "The message expired before it was completed.", null));
            }
            else
            {
                batch.DeleteMessage(Path, entry.SequenceNumber);
            }
        }

        try
        {
            await WriteAsync(batch, CancellationToken.None);
        }
        catch (Exception exception)
        {
            LogTimerWriteFailed(Path, exception);
            foreach (var entry in entries)
            {
                entry.IsSettling = false;
                _index.Release(entry);
            }

            return;
        }

        foreach (var entry in entries)
        {
            entry.IsSettling = false;
            if (entry.IsRemoved)
            {
                continue;
            }

            if (deadLetter)
            {
                MoveToDeadLetter(entry, TimeToLiveExpired, "The message expired before it was completed.");
            }
            else
            {
                _index.Remove(entry);
            }
        }

        instruments.Expired(Path, entries.Count);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Timed work on {Entity} could not be written; it is retried")]
    private partial void LogTimerWriteFailed(string entity, Exception exception);
}
