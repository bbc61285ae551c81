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
/// The messages are durable before any subscription indexes them. Where the end may never come, the subscription
/// releases the reservation and looks the sequence numbers up in the store (indexing is idempotent by sequence number):
/// <list type="bullet">
/// <item>the topic's commit failed with its outcome open (<see cref="DeliveryOutcome.Unknown"/>);</item>
/// <item>a newer topic activation admits (its epoch is higher): the older one's reservations are orphans, since it
/// was superseded or died, and whatever of its batches landed did so before the newer one took its epoch;</item>
/// <item>a reservation is older than <see cref="ReservationTimeout"/> (the topic is silent);</item>
/// <item>an end for a delivery the subscription does not know (a new activation loaded before the batch landed, or
/// the reservation expired).</item>
/// </list>
/// A lookup the store refuses is retried every <see cref="LookupRetryPeriod"/> until it succeeds or the activation
/// goes (the next one loads everything).
/// </remarks>
internal sealed partial class QueueGrain
{
    // A fan-out admits, commits one batch and ends within a commit's time; a silent topic is given far more than that.
    private static readonly TimeSpan ReservationTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan LookupRetryPeriod = TimeSpan.FromSeconds(5);

    private readonly Dictionary<Guid, Reservation> _reservations = [];

    // Sequence numbers a topic may have committed here without this activation indexing them, until a lookup succeeds.
    private readonly HashSet<long> _lookups = [];
    private Task _lookup = Task.CompletedTask;
    private IGrainTimer? _reservationTimer;

    public ValueTask<DeliveryAdmission> AdmitDeliveryAsync(Guid delivery, long topicEpoch, OutgoingMessage[] messages, long[] sequenceNumbers, CancellationToken cancellationToken = default)
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

        ReleaseOrphans(topicEpoch);
        var reservation = new Reservation(entries, bytes, ScheduledIn(entries), topicEpoch, now + ReservationTimeout);
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

    public ValueTask EndDeliveryAsync(Guid delivery, DeliveryOutcome outcome, long[] sequenceNumbers, CancellationToken cancellationToken = default)
    {
        var known = _reservations.Remove(delivery, out var reservation);
        if (known)
        {
            End(reservation!, outcome == DeliveryOutcome.Stored);
        }

        if ((!known && outcome == DeliveryOutcome.Stored) || outcome == DeliveryOutcome.Unknown)
        {
            return new ValueTask(LookUpAsync(sequenceNumbers ?? []));
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Releases the reservations of topic activations older than <paramref name="topicEpoch"/> and looks their messages
    /// up: such an activation will not end them. Its batches that landed did so before the newer activation took its
    /// epoch (the store fences the rest), so the lookup, which starts after that, finds all of them.
    /// </summary>
    private void ReleaseOrphans(long topicEpoch)
    {
        List<long>? orphaned = null;
        foreach (var (delivery, reservation) in _reservations)
        {
            if (reservation.TopicEpoch < topicEpoch)
            {
                _reservations.Remove(delivery);
                LogReservationOrphaned(Path, delivery, reservation.TopicEpoch, topicEpoch);
                End(reservation, committed: false);
                (orphaned ??= []).AddRange(reservation.Entries.Select(e => e.SequenceNumber));
            }
        }

        if (orphaned is not null)
        {
            _ = LookUpAsync(orphaned);
        }
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
    /// Indexes those of <paramref name="sequenceNumbers"/> (and of earlier lookups the store refused) that the store
    /// holds and the index does not: messages a topic committed for this subscription without telling this activation.
    /// Rare, so it reads the entity's whole record set; one lookup at a time, and a refused one is retried by the timer.
    /// </summary>
    private async Task LookUpAsync(IEnumerable<long> sequenceNumbers)
    {
        if (_document is null)
        {
            _lookups.Clear();
            return;
        }

        _lookups.UnionWith(sequenceNumbers);
        _lookups.RemoveWhere(n => _index.TryGet(n, out _));
        if (_lookups.Count == 0)
        {
            return;
        }

        EnsureReservationTimer();

        // A lookup that started earlier may have read the store before these were asked for: wait for it, then read again.
        while (!_lookup.IsCompleted)
        {
            await _lookup;
        }

        if (_lookups.Count > 0)
        {
            _lookup = IndexFromStoreAsync();
            await _lookup;
        }
    }

    private async Task IndexFromStoreAsync()
    {
        var wanted = _lookups.ToHashSet();
        IReadOnlyList<MessageRecord> records;
        try
        {
            records = await store.LoadMessagesAsync(Path, CancellationToken.None);
        }
        catch (Exception exception)
        {
            LogDeliveryLookupFailed(Path, wanted.Count, exception);
            return;
        }

        // Read after they were asked for: whatever of them is not in the store was not committed, and never will be.
        _lookups.ExceptWith(wanted);
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
            _reservationTimer = this.RegisterGrainTimer(ExpireReservationsAsync, new GrainTimerCreationOptions(LookupRetryPeriod, LookupRetryPeriod)
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

        // The topic may have committed them and then gone before ending the delivery; earlier lookups may have failed.
        await LookUpAsync(expired);
        if (_reservations.Count == 0 && _lookups.Count == 0)
        {
            _reservationTimer?.Dispose();
            _reservationTimer = null;
        }
    }

    /// <summary>A topic's delivery admitted here and not yet ended.</summary>
    private sealed class Reservation(MessageEntry[] entries, long bytes, PendingScheduled? scheduled, long topicEpoch, DateTimeOffset expiresAt)
    {
        public MessageEntry[] Entries { get; } = entries;

        public long Bytes { get; } = bytes;

        public PendingScheduled? Scheduled { get; } = scheduled;

        /// <summary>The store epoch of the topic activation that admitted it.</summary>
        public long TopicEpoch { get; } = topicEpoch;

        public DateTimeOffset ExpiresAt { get; } = expiresAt;

        /// <summary>The depth the topic's batch records for this subscription.</summary>
        public EntityDepth Depth { get; set; }

        /// <summary>Set once the entries were offered early: completes when the outcome is applied.</summary>
        public TaskCompletionSource? Outcome { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {Delivery} to {Entity} was not ended by its topic in time; its space is released and the store is checked for its messages")]
    private partial void LogReservationExpired(string entity, Guid delivery);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {Delivery} to {Entity} was admitted by topic epoch {Epoch}, which epoch {CurrentEpoch} superseded; its space is released and the store is checked for its messages")]
    private partial void LogReservationOrphaned(string entity, Guid delivery, long epoch, long currentEpoch);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} messages a topic committed for {Entity} were indexed from the store")]
    private partial void LogDeliveryRecovered(string entity, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} messages a topic may have committed for {Entity} could not be looked up; the lookup is retried")]
    private partial void LogDeliveryLookupFailed(string entity, int count, Exception exception);
}
