using Loire.Entities;
using Loire.Grains.Messaging;
using Loire.Grains.Persistence;
using Loire.Messages;
using Loire.Storage;
using Microsoft.Extensions.Logging;

namespace Loire.Grains.Queues;

/// <summary>
/// Duplicate detection of a queue: a send whose MessageId the queue accepted within its window is acknowledged with
/// the first copy's sequence number and not stored again. The history is written in the same store batch as the
/// messages (records of <see cref="DuplicateDetector.HistoryPath"/>), loaded on activation, pruned by a timer.
/// </summary>
internal sealed partial class QueueGrain
{
    private DuplicateDetector? _duplicates;
    private IGrainTimer? _duplicatePruneTimer;

    /// <summary>The queue's duplicate history, or null when it does not detect duplicates (subscriptions never do).</summary>
    private DuplicateDetector? Duplicates =>
        _document?.Description is { Kind: EntityKind.Queue, Options: { RequiresDuplicateDetection: true } options }
            ? _duplicates ??= new DuplicateDetector(options.DuplicateDetectionHistoryTimeWindow)
            : null;

    /// <summary>Loads what the entity needs besides its messages: duplicate history, dead letters still to forward.</summary>
    private async Task LoadRoutingStateAsync(CancellationToken cancellationToken)
    {
        if (Duplicates is { } duplicates)
        {
            await duplicates.RestoreAsync(store, Path, cancellationToken);
            EnsureDuplicatePruning();
        }

        ResumeDeadLetterForwarding();
    }

    /// <summary>Adds the entity's routing records to its delete batch, so the history goes with the entity.</summary>
    private StoreBatch DeleteRoutingState(StoreBatch batch)
    {
        _duplicates = null;
        _duplicatePruneTimer?.Dispose();
        _duplicatePruneTimer = null;
        return batch.DeleteEntity(DuplicateDetector.HistoryPath(Path));
    }

    /// <summary>Stores the messages whose MessageId is new within the window; the others get their first copy's sequence number.</summary>
    private async Task<long[]> AppendWithoutDuplicatesAsync(EntityDocument document, DuplicateDetector duplicates, OutgoingMessage[] messages,
        CancellationToken cancellationToken, long[]? assignedNumbers)
    {
        // The whole batch is validated, duplicates included, so a bad resend is refused like a bad send.
        OutgoingMessageValidator.Validate(messages, document.Description, brokerOptions.Value.MaxMessageSizeBytes);
        cancellationToken.ThrowIfCancellationRequested();
        var results = await duplicates.AcceptAsync(messages, time.GetUtcNow(), Path,
            plan => AppendAsync(document, [.. plan.Unique], cancellationToken, Pick(assignedNumbers, plan)));
        EnsureDuplicatePruning();
        return results;
    }

    /// <summary>Called by the append path with the entries it is about to write: adds their history records to the same batch.</summary>
    private void AddDuplicateRecords(StoreBatch batch, MessageEntry[] entries)
    {
        if (_duplicates is not { } duplicates || _document?.Description.Options.RequiresDuplicateDetection != true)
        {
            return;
        }

        var historyPath = DuplicateDetector.HistoryPath(Path);
        foreach (var entry in entries)
        {
            // Every new MessageId of a send is pending while that send is written, and belongs to it alone.
            if (duplicates.FindPending(entry.Stored.Message.MessageId) is { } pending)
            {
                pending.SequenceNumber = entry.SequenceNumber;
                pending.RecordKey = entry.SequenceNumber;
                batch.PutMessage(historyPath, entry.SequenceNumber, DuplicateDetector.Encode(pending), ReadOnlyMemory<byte>.Empty);
            }
        }
    }

    /// <summary>
    /// Persists the history of messages forwarded elsewhere. Their records are keyed by numbers drawn from this
    /// entity's own sequence (it stores no messages), and written after the target acknowledged: a crash in between
    /// forgets those MessageIds.
    /// </summary>
    private async Task PersistForwardedHistoryAsync(DuplicatePlan plan)
    {
        if (_document is not { } document)
        {
            return;
        }

        var entries = plan.Entries.Where(e => e is not null).Select(e => e!).ToList();
        if (entries.Count == 0)
        {
            return;
        }

        var batch = new StoreBatch();
        ReserveSequenceNumbers(document, entries.Count, batch);
        var historyPath = DuplicateDetector.HistoryPath(Path);
        foreach (var entry in entries)
        {
            entry.RecordKey = _nextSequence++;
            batch.PutMessage(historyPath, entry.RecordKey, DuplicateDetector.Encode(entry), ReadOnlyMemory<byte>.Empty);
        }

        try
        {
            await WriteAsync(batch, CancellationToken.None);
        }
        catch (Exception exception)
        {
            // The messages were delivered; only a restart before the window ends would let a resend through.
            LogHistoryWriteFailed(Path, exception);
        }
    }

    private void EnsureDuplicatePruning()
    {
        if (_duplicatePruneTimer is null && _duplicates is { HasHistory: true } duplicates)
        {
            var period = DuplicateDetector.PrunePeriod(duplicates.Window);
            _duplicatePruneTimer = this.RegisterGrainTimer(PruneDuplicatesAsync, new GrainTimerCreationOptions(period, period)
            {
                Interleave = true,
                KeepAlive = false,
            });
        }
    }

    private async Task PruneDuplicatesAsync(CancellationToken cancellationToken)
    {
        if (_document is null || _duplicates is not { } duplicates)
        {
            return;
        }

        // A failed write leaves the records behind; they are dropped as expired on the next activation.
        await duplicates.PruneAsync(time.GetUtcNow(), Path, batch => WriteAsync(batch, CancellationToken.None),
            exception => LogHistoryWriteFailed(Path, exception));

        if (!duplicates.HasHistory && ReferenceEquals(duplicates, _duplicates))
        {
            _duplicatePruneTimer?.Dispose();
            _duplicatePruneTimer = null;
        }
    }

    private static long[]? Pick(long[]? assignedNumbers, DuplicatePlan plan)
    {
        if (assignedNumbers is null)
        {
            return null;
        }

        // First occurrences are numbered in order; later copies in the batch point back at them.
        var picked = new long[plan.Unique.Count];
        var next = 0;
        for (var i = 0; i < plan.Source.Length && next < picked.Length; i++)
        {
            if (plan.Source[i] == next)
            {
                picked[next++] = assignedNumbers[i];
            }
        }

        return picked;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Duplicate-detection history of {Entity} could not be written")]
    private partial void LogHistoryWriteFailed(string entity, Exception exception);
}
