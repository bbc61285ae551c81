using Loire.Client;
using Loire.Entities;
using Loire.Grains.Messaging;
using Loire.Messages;
using Loire.Storage;
using Microsoft.Extensions.Logging;

namespace Loire.Grains.Queues;

/// <summary>
/// A subscription's side of its topic's atomic fan-out. The topic admits a publish in every matching subscription
/// first (<see cref="AdmitDeliveryAsync"/>: quota checked against the live counts plus every reservation, the space
/// reserved in one synchronous step, no lock), writes all their copies and depth records in one store batch, then
/// ends each delivery (<see cref="EndDeliveryAsync"/>): the subscription indexes the messages, or releases the space.
/// A reservation counts as a write in flight, so a delete waits for the topic's batch and removes its rows too.
/// </summary>
/// <remarks>
/// The messages are durable before any subscription indexes them; if the end never comes (the topic's silo died,
/// the call failed), the reservation expires after <see cref="ReservationTimeout"/> and the subscription looks its
/// sequence numbers up in the store. An end for a delivery the subscription does not know (a new activation loaded
/// before the batch landed, or the reservation expired) does the same lookup: indexing is idempotent by sequence number.
/// </remarks>
internal sealed partial class QueueGrain
{
    private static readonly TimeSpan ReservationTimeout = TimeSpan.FromMinutes(1);

    private readonly Dictionary<Guid, Reservation> _reservations = [];
    private IGrainTimer? _reservationTimer;

    public ValueTask<DeliveryAdmission> AdmitDeliveryAsync(Guid delivery, OutgoingMessage[] messages, long[] sequenceNumbers, CancellationToken cancellationToken = default)
    {
        var document = RequireEntity(EntityKind.Subscription);
        if (messages is null || messages.Length == 0 || sequenceNumbers is null || sequenceNumbers.Length != messages.Length)
        {
            throw new LoireException(LoireErrorReason.InvalidArgument, "A delivery needs messages and one sequence number per message.", Path);
        }

        var options = document.Description.Options;
        if (options.ForwardTo is not null)
        {
            return ValueTask.FromResult(DeliveryAdmission.Forwarding);
        }

        if (_reservations.ContainsKey(delivery))
        {
            throw new LoireException(LoireErrorReason.InvalidArgument, $"Delivery {delivery} was already admitted.", Path);
        }

        var bytes = OutgoingMessageValidator.Validate(messages, document.Description, brokerOptions.Value.MaxMessageSizeBytes);
        CheckQuota(options, messages.Length, bytes);
        cancellationToken.ThrowIfCancellationRequested();

        var now = time.GetUtcNow();
        var entries = new MessageEntry[messages.Length];
        var expiries = new DateTimeOffset[messages.Length];
        for (var i = 0; i < messages.Length; i++)
        {
            var message = messages[i];
            var stored = new StoredMessage(message, sequenceNumbers[i], now, OutgoingMessageValidator.ComputeExpiry(message, options, now));
            entries[i] = new MessageEntry(stored, message.EstimateSize())
            {
                State = message.ScheduledEnqueueTime > now ? MessageState.Scheduled : MessageState.Active,
            };
            expiries[i] = stored.ExpiresAt;
        }

        var reservation = new Reservation(entries, bytes, ScheduledIn(entries), now + ReservationTimeout);
        Reserve(reservation);
        _reservations.Add(delivery, reservation);
        EnsureReservationTimer();

        // The depth as it is once the topic's batch lands; it goes into that batch, which is why it counts as recorded.
        var depth = CurrentDepth();
        reservation.Depth = depth;
        _recordedDepth = depth;
        var mode = CanDeliverEarly(options, entries) ? DeliveryMode.StoreEarly : DeliveryMode.Store;
        return ValueTask.FromResult(new DeliveryAdmission(mode, now, expiries, depth.Encode(), Fence.Epoch));
    }

    public ValueTask DeliveryFencedAsync(long epoch, CancellationToken cancellationToken = default)
    {
        Fence.StepAsideIfStale(epoch, OnSuperseded);
        return ValueTask.CompletedTask;
    }

    public ValueTask OfferDeliveryAsync(Guid delivery, CancellationToken cancellationToken = default)
    {
        if (_document is null || !_reservations.TryGetValue(delivery, out var reservation) || reservation.Outcome is not null)
        {
            return ValueTask.CompletedTask;
        }

        // From here on the entries count against the quota from the index, not as pending (see WriteDeliveringEarlyAsync).
        ReleasePending(reservation);
        reservation.Outcome = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var visibleAt = time.GetUtcNow();
        foreach (var entry in reservation.Entries)
        {
            entry.PendingCommit = reservation.Outcome.Task;
            _index.Add(entry, visibleAt);
        }

        DispatchWaiters();
        EnsureTimer();
        return ValueTask.CompletedTask;
    }

    public async ValueTask EndDeliveryAsync(Guid delivery, bool committed, long[] sequenceNumbers, CancellationToken cancellationToken = default)
    {
        if (!_reservations.Remove(delivery, out var reservation))
        {
            if (committed && sequenceNumbers is { Length: > 0 })
            {
                await IndexFromStoreAsync(sequenceNumbers);
            }

            return;
        }

        End(reservation, committed);
    }

    /// <summary>Applies a delivery's outcome to its reservation, which the caller already took out of the table.</summary>
    private void End(Reservation reservation, bool committed)
    {
        if (reservation.Outcome is null)
        {
            ReleasePending(reservation);
        }

        // The depth in the topic's batch is the latest only if nothing recorded another since, and only if it landed.
        if (!committed || _recordedDepth != reservation.Depth)
        {
            _recordedDepth = null;
        }

        EndWrite();
        var indexed = committed && _document is not null;
        if (reservation.Outcome is { } outcome)
        {
            foreach (var entry in reservation.Entries)
            {
                entry.PendingCommit = null;
                if (!indexed)
                {
                    _index.Remove(entry);
                }
            }

            outcome.SetResult();
        }
        else if (indexed)
        {
            var visibleAt = time.GetUtcNow();
            foreach (var entry in reservation.Entries)
            {
                if (!_index.TryGet(entry.SequenceNumber, out _))
                {
                    _index.Add(entry, visibleAt);
                }
            }

            DispatchWaiters();
            EnsureTimer();
        }

        if (indexed)
        {
            instruments.Sent(Path, reservation.Entries.Length);
        }
    }

    /// <summary>Counts the reservation as pending (against the quota and in the depth) and as a write in flight.</summary>
    private void Reserve(Reservation reservation)
    {
        _writesInFlight++;
        _pendingCount += reservation.Entries.Length;
        _pendingBytes += reservation.Bytes;
        if (reservation.Scheduled is { } scheduled)
        {
            _pendingScheduled.Add(scheduled);
        }
    }

    private void ReleasePending(Reservation reservation)
    {
        _pendingCount -= reservation.Entries.Length;
        _pendingBytes -= reservation.Bytes;
        if (reservation.Scheduled is { } scheduled)
        {
            _pendingScheduled.Remove(scheduled);
        }
    }

    /// <summary>
    /// Indexes those of <paramref name="sequenceNumbers"/> the store holds and the index does not: messages a topic
    /// committed for this subscription without telling this activation. Rare, so it reads the entity's whole record set.
    /// </summary>
    private async Task IndexFromStoreAsync(IReadOnlyCollection<long> sequenceNumbers)
    {
        if (_document is null)
        {
            return;
        }

        var wanted = new HashSet<long>(sequenceNumbers);
        wanted.RemoveWhere(n => _index.TryGet(n, out _));
        if (wanted.Count == 0)
        {
            return;
        }

        IReadOnlyList<MessageRecord> records;
        try
        {
            records = await store.LoadMessagesAsync(Path, CancellationToken.None);
        }
        catch (Exception exception)
        {
            // The next activation loads them; until then they wait in the store.
            LogDeliveryLookupFailed(Path, wanted.Count, exception);
            return;
        }

        var now = time.GetUtcNow();
        var found = 0;
        foreach (var record in records)
        {
            if (wanted.Contains(record.SequenceNumber) && _document is not null && !_index.TryGet(record.SequenceNumber, out _))
            {
                _index.Add(ToEntry(record, now), now);
                found++;
            }
        }

        if (found > 0)
        {
            LogDeliveryRecovered(Path, found);
            _recordedDepth = null;
            ScheduleDepthRecord();
            DispatchWaiters();
            EnsureTimer();
        }
    }

    private void EnsureReservationTimer()
    {
        if (_reservationTimer is null)
        {
            // Not keeping the activation alive: if it goes, the next one loads whatever the topic committed.
            _reservationTimer = this.RegisterGrainTimer(ExpireReservationsAsync, new GrainTimerCreationOptions(ReservationTimeout, ReservationTimeout)
            {
                Interleave = true,
                KeepAlive = false,
            });
        }
    }

    private async Task ExpireReservationsAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var expired = new List<long>();
        foreach (var (delivery, reservation) in _reservations.Where(r => r.Value.ExpiresAt <= now).ToList())
        {
            _reservations.Remove(delivery);
            LogReservationExpired(Path, delivery);
            End(reservation, committed: false);
            expired.AddRange(reservation.Entries.Select(e => e.SequenceNumber));
        }

        if (_reservations.Count == 0)
        {
            _reservationTimer?.Dispose();
            _reservationTimer = null;
        }

        if (expired.Count > 0)
        {
            // The topic may have committed them and then gone before ending the delivery.
            await IndexFromStoreAsync(expired);
        }
    }

    /// <summary>A topic's delivery admitted here and not yet ended.</summary>
    private sealed class Reservation(MessageEntry[] entries, long bytes, PendingScheduled? scheduled, DateTimeOffset expiresAt)
    {
        public MessageEntry[] Entries { get; } = entries;

        public long Bytes { get; } = bytes;

        public PendingScheduled? Scheduled { get; } = scheduled;

        public DateTimeOffset ExpiresAt { get; } = expiresAt;

        /// <summary>The depth the topic's batch records for this subscription.</summary>
        public EntityDepth Depth { get; set; }

        /// <summary>Set once the entries were offered early: completes when the outcome is applied.</summary>
        public TaskCompletionSource? Outcome { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {Delivery} to {Entity} was not ended by its topic in time; its space is released and the store is checked for its messages")]
    private partial void LogReservationExpired(string entity, Guid delivery);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} messages a topic committed for {Entity} were indexed from the store")]
    private partial void LogDeliveryRecovered(string entity, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} messages a topic committed for {Entity} could not be looked up; the next activation loads them")]
    private partial void LogDeliveryLookupFailed(string entity, int count, Exception exception);
}
