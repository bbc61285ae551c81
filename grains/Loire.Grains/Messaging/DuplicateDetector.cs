using System.Buffers.Binary;
using System.Text;
using Loire.Client;
using Loire.Messages;
using Loire.Storage;

namespace Loire.Grains.Messaging;

/// <summary>
/// The duplicate-detection history of one queue or topic: which MessageIds it accepted within its window, under which
/// sequence number. Entries of a send still being written are pending: a concurrent resend of the same MessageId
/// waits for that write instead of storing the message again. Memory holds the MessageIds of the window (plus
/// expired ones until the next prune). Not thread-safe: only the owning grain's turns touch it.
/// </summary>
/// <remarks>
/// The history persists as records of the pseudo-entity <see cref="HistoryPath"/>, one per accepted MessageId, keyed
/// by the message's sequence number, written in the same store batch as the messages themselves where the entity
/// stores them (queues, and topics, whose fan-out batch holds every subscription's copy) and right after delivery
/// where it does not (forwarding queues).
/// </remarks>
internal sealed class DuplicateDetector(TimeSpan window)
{
    /// <summary>Longest accepted history window; it bounds the memory a busy entity spends on MessageIds.</summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(7);

    private const string HistorySuffix = "/$duplicates";

    /// <summary>Most record deletions per store batch when pruning, so one prune never writes an unbounded batch.</summary>
    private const int MaxPruneOperations = 5_000;

    private readonly Dictionary<string, Entry> _byId = new(StringComparer.Ordinal);
    private readonly Queue<Entry> _byAge = new();

    /// <summary>How long a MessageId is remembered.</summary>
    public TimeSpan Window { get; } = window;

    /// <summary>MessageIds remembered, pending ones included.</summary>
    public int Count => _byId.Count;

    /// <summary>True when some history may be due for pruning.</summary>
    public bool HasHistory => _byAge.Count > 0;

    /// <summary>The store path under which an entity's history records live.</summary>
    public static string HistoryPath(string entityPath) => entityPath + HistorySuffix;

    /// <summary>How often expired history is pruned: half the window, between 1 second and 1 minute.</summary>
    public static TimeSpan PrunePeriod(TimeSpan window) =>
        TimeSpan.FromTicks(Math.Clamp(window.Ticks / 2, TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute));

    /// <summary>Loads the entity's history records from the store (on activation).</summary>
    public async Task RestoreAsync(IMessageStore store, string entityPath, CancellationToken cancellationToken)
    {
        foreach (var record in await store.LoadMessagesAsync(HistoryPath(entityPath), cancellationToken))
        {
            Restore(record.SequenceNumber, record.Payload);
        }
    }

    /// <summary>Remembers a record loaded from the store. Records must come in the order they were written.</summary>
    public void Restore(long recordKey, ReadOnlyMemory<byte> payload)
    {
        var (messageId, acceptedAt, sequenceNumber) = Decode(payload);
        var entry = new Entry(messageId, acceptedAt) { SequenceNumber = sequenceNumber, RecordKey = recordKey };
        _byId[messageId] = entry;
        _byAge.Enqueue(entry);
    }

    /// <summary>
    /// Splits a send into the messages to store and the duplicates to acknowledge without storing. New MessageIds
    /// become pending; the caller must end the plan with <see cref="Commit"/> or <see cref="Abort"/>.
    /// </summary>
    public DuplicatePlan Plan(OutgoingMessage[] messages, DateTimeOffset now)
    {
        var plan = new DuplicatePlan(messages.Length);
        Dictionary<string, int>? inBatch = null;
        for (var i = 0; i < messages.Length; i++)
        {
            var message = messages[i];
            if (message.MessageId is not { } id)
            {
                plan.AddUnique(i, message, null);
                continue;
            }

            if (inBatch is not null && inBatch.TryGetValue(id, out var first))
            {
                plan.Source[i] = first;
                continue;
            }

            if (_byId.TryGetValue(id, out var known) && (known.Pending is not null || !IsExpired(known, now)))
            {
                plan.Source[i] = DuplicatePlan.Known;
                if (known.Pending is { } pending)
                {
                    (plan.Waits ??= []).Add((i, known, pending.Task));
                }
                else
                {
                    plan.Results[i] = known.SequenceNumber;
                }

                continue;
            }

            // New, or remembered from longer ago than the window: accepted again. The old entry (if any) stays in
            // the age queue until pruned; pruning only forgets an id whose current entry it is.
            var entry = new Entry(id, now) { Pending = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously) };
            _byId[id] = entry;
            (inBatch ??= new Dictionary<string, int>(StringComparer.Ordinal))[id] = plan.Unique.Count;
            plan.AddUnique(i, message, entry);
        }

        return plan;
    }

    /// <summary>The pending entry this batch owns for <paramref name="messageId"/>, or null.</summary>
    public Entry? FindPending(string? messageId) =>
        messageId is not null && _byId.TryGetValue(messageId, out var entry) && entry.Pending is not null ? entry : null;

    /// <summary>Records that the plan's unique messages were accepted under <paramref name="sequenceNumbers"/> (aligned with <see cref="DuplicatePlan.Unique"/>).</summary>
    public void Commit(DuplicatePlan plan, long[] sequenceNumbers)
    {
        for (var u = 0; u < plan.Unique.Count; u++)
        {
            if (plan.Entries[u] is not { } entry)
            {
                continue;
            }

            entry.SequenceNumber = sequenceNumbers[u];
            var pending = entry.Pending!;
            entry.Pending = null;
            _byAge.Enqueue(entry);
            pending.TrySetResult(true);
        }

        for (var i = 0; i < plan.Source.Length; i++)
        {
            if (plan.Source[i] >= 0)
            {
                plan.Results[i] = sequenceNumbers[plan.Source[i]];
            }
        }
    }

    /// <summary>Forgets the plan's pending MessageIds: nothing of the batch was accepted.</summary>
    public void Abort(DuplicatePlan plan)
    {
        foreach (var entry in plan.Entries)
        {
            if (entry?.Pending is not { } pending)
            {
                continue;
            }

            entry.Pending = null;
            if (_byId.TryGetValue(entry.MessageId, out var current) && ReferenceEquals(current, entry))
            {
                _byId.Remove(entry.MessageId);
            }

            pending.TrySetResult(false);
        }
    }

    /// <summary>
    /// Waits for the concurrent sends this batch's duplicates depend on and fills in their sequence numbers. Throws
    /// ServiceBusy (transient) when one of them failed: the MessageId was not accepted after all, so a retry stores it.
    /// </summary>
    public static async Task CompleteWaitsAsync(DuplicatePlan plan, string entityPath)
    {
        foreach (var (index, entry, accepted) in plan.Waits ?? [])
        {
            if (!await accepted)
            {
                throw new LoireException(LoireErrorReason.ServiceBusy,
                    $"A concurrent send of MessageId '{entry.MessageId}' failed, so this resend was not accepted; retry it.", entityPath);
            }

            plan.Results[index] = entry.SequenceNumber;
        }
    }

    /// <summary>
    /// Runs one send through the history: plans it, lets <paramref name="storeUnique"/> store the new messages (their
    /// sequence numbers aligned with <see cref="DuplicatePlan.Unique"/>), commits or aborts the plan, and returns the
    /// sequence number each sent message gets.
    /// </summary>
    public async Task<long[]> AcceptAsync(OutgoingMessage[] messages, DateTimeOffset now, string entityPath,
        Func<DuplicatePlan, Task<long[]>> storeUnique)
    {
        var plan = Plan(messages, now);
        if (!plan.IsAllDuplicates)
        {
            long[] stored;
            try
            {
                stored = await storeUnique(plan);
            }
            catch
            {
                Abort(plan);
                throw;
            }

            Commit(plan, stored);
        }

        await CompleteWaitsAsync(plan, entityPath);
        return plan.Results;
    }

    /// <summary>
    /// Forgets expired MessageIds and deletes their records in bounded batches through <paramref name="write"/>. A
    /// failed write stops the prune: the records stay behind and are dropped as expired on the next activation.
    /// </summary>
    public async Task PruneAsync(DateTimeOffset now, string entityPath, Func<StoreBatch, Task> write, Action<Exception> onWriteFailed)
    {
        if (TakeExpired(now) is not { } expired)
        {
            return;
        }

        var historyPath = HistoryPath(entityPath);
        foreach (var chunk in expired.Chunk(MaxPruneOperations))
        {
            var batch = new StoreBatch();
            foreach (var key in chunk)
            {
                batch.DeleteMessage(historyPath, key);
            }

            try
            {
                await write(batch);
            }
            catch (Exception exception)
            {
                onWriteFailed(exception);
                break;
            }
        }
    }

    /// <summary>Forgets the MessageIds accepted longer ago than the window and returns the keys of their records.</summary>
    public List<long>? TakeExpired(DateTimeOffset now)
    {
        List<long>? expired = null;
        while (_byAge.TryPeek(out var entry) && IsExpired(entry, now))
        {
            _byAge.Dequeue();
            if (_byId.TryGetValue(entry.MessageId, out var current) && ReferenceEquals(current, entry))
            {
                _byId.Remove(entry.MessageId);
            }

            (expired ??= []).Add(entry.RecordKey);
        }

        return expired;
    }

    /// <summary>The bytes of a history record: acceptance time (UTC ticks), the sequence number the sender got, then the MessageId in UTF-8.</summary>
    public static byte[] Encode(Entry entry)
    {
        var buffer = new byte[16 + Encoding.UTF8.GetByteCount(entry.MessageId)];
        BinaryPrimitives.WriteInt64LittleEndian(buffer, entry.AcceptedAt.UtcTicks);
        BinaryPrimitives.WriteInt64LittleEndian(buffer.AsSpan(8), entry.SequenceNumber);
        Encoding.UTF8.GetBytes(entry.MessageId, buffer.AsSpan(16));
        return buffer;
    }

    private static (string MessageId, DateTimeOffset AcceptedAt, long SequenceNumber) Decode(ReadOnlyMemory<byte> payload)
    {
        var span = payload.Span;
        var ticks = BinaryPrimitives.ReadInt64LittleEndian(span);
        var sequenceNumber = BinaryPrimitives.ReadInt64LittleEndian(span[8..]);
        return (Encoding.UTF8.GetString(span[16..]), new DateTimeOffset(ticks, TimeSpan.Zero), sequenceNumber);
    }

    private bool IsExpired(Entry entry, DateTimeOffset now) => now - entry.AcceptedAt >= Window;

    /// <summary>One remembered MessageId.</summary>
    internal sealed class Entry(string messageId, DateTimeOffset acceptedAt)
    {
        public string MessageId { get; } = messageId;

        public DateTimeOffset AcceptedAt { get; } = acceptedAt;

        /// <summary>The sequence number the sender got (and resenders get).</summary>
        public long SequenceNumber { get; set; }

        /// <summary>Key of the history record in the store: the message's own sequence number where the entity stores it.</summary>
        public long RecordKey { get; set; }

        /// <summary>Set while the send that accepted the MessageId is being written; true when it succeeded.</summary>
        public TaskCompletionSource<bool>? Pending { get; set; }
    }
}

/// <summary>How one send splits into messages to store and duplicates, and the sequence numbers the sender gets.</summary>
internal sealed class DuplicatePlan(int count)
{
    /// <summary>Marks a message that duplicates one accepted earlier (or by a concurrent send).</summary>
    public const int Known = -1;

    /// <summary>Messages to store, in send order.</summary>
    public List<OutgoingMessage> Unique { get; } = new(count);

    /// <summary>The history entry of each unique message (null for messages without a MessageId).</summary>
    public List<DuplicateDetector.Entry?> Entries { get; } = new(count);

    /// <summary>Per sent message: its index in <see cref="Unique"/>, or <see cref="Known"/>.</summary>
    public int[] Source { get; } = new int[count];

    /// <summary>Per sent message: the sequence number the sender gets.</summary>
    public long[] Results { get; } = new long[count];

    /// <summary>Duplicates of MessageIds a concurrent send is still writing.</summary>
    public List<(int Index, DuplicateDetector.Entry Entry, Task<bool> Accepted)>? Waits { get; set; }

    /// <summary>True when every message was a duplicate: nothing to store.</summary>
    public bool IsAllDuplicates => Unique.Count == 0;

    public void AddUnique(int index, OutgoingMessage message, DuplicateDetector.Entry? entry)
    {
        Source[index] = Unique.Count;
        Unique.Add(message);
        Entries.Add(entry);
    }
}
