using Loire.Grains.Messaging;
using Loire.Messages;
using Loire.Storage;
using Microsoft.Extensions.Logging;

namespace Loire.Grains.Topics;

/// <summary>
/// Duplicate detection of a topic, before fan-out: a publish whose MessageId the topic accepted within its window is
/// acknowledged with the first copy's sequence number and reaches no subscription again. The topic stores no
/// messages, so its history records (under <see cref="DuplicateDetector.HistoryPath"/>, keyed by the topic's sequence
/// numbers) are written once every subscription holds the messages: a crash between the two forgets those MessageIds.
/// </summary>
internal sealed partial class TopicGrain
{
    private DuplicateDetector? _duplicates;
    private IGrainTimer? _duplicatePruneTimer;

    private DuplicateDetector? Duplicates => _document?.Description.Options is { RequiresDuplicateDetection: true } options
        ? _duplicates ??= new DuplicateDetector(options.DuplicateDetectionHistoryTimeWindow)
        : null;

    private async Task LoadDuplicateHistoryAsync(CancellationToken cancellationToken)
    {
        if (Duplicates is not { } duplicates)
        {
            return;
        }

        await duplicates.RestoreAsync(store, Path, cancellationToken);
        EnsureDuplicatePruning();
    }

    /// <summary>Adds the topic's history to its delete batch.</summary>
    private StoreBatch DeleteDuplicateHistory(StoreBatch batch)
    {
        _duplicates = null;
        _duplicatePruneTimer?.Dispose();
        _duplicatePruneTimer = null;
        return batch.DeleteEntity(DuplicateDetector.HistoryPath(Path));
    }

    /// <summary>Publishes the messages whose MessageId is new within the window; the others get their first copy's sequence number.</summary>
    private async Task<long[]> PublishWithoutDuplicatesAsync(DuplicateDetector duplicates, OutgoingMessage[] messages, CancellationToken cancellationToken)
    {
        var results = await duplicates.AcceptAsync(messages, time.GetUtcNow(), Path,
            plan => PublishAsync(RequireTopic(), [.. plan.Unique], cancellationToken),
            PersistDuplicateHistoryAsync);
        EnsureDuplicatePruning();
        return results;
    }

    private async Task PersistDuplicateHistoryAsync(DuplicatePlan plan)
    {
        var batch = new StoreBatch();
        var historyPath = DuplicateDetector.HistoryPath(Path);
        foreach (var entry in plan.Entries)
        {
            if (entry is not null)
            {
                entry.RecordKey = entry.SequenceNumber;
                batch.PutMessage(historyPath, entry.RecordKey, DuplicateDetector.Encode(entry), ReadOnlyMemory<byte>.Empty);
            }
        }

        if (batch.IsEmpty || _document is null)
        {
            return;
        }

        try
        {
            await Fence.CommitAsync(batch, DeactivateOnIdle, CancellationToken.None);
        }
        catch (Exception exception)
        {
            // The subscriptions hold the messages; only a restart within the window would let a resend through.
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
        await duplicates.PruneAsync(time.GetUtcNow(), Path, batch => Fence.CommitAsync(batch, DeactivateOnIdle, CancellationToken.None),
            exception => LogHistoryWriteFailed(Path, exception));

        if (!duplicates.HasHistory && ReferenceEquals(duplicates, _duplicates))
        {
            _duplicatePruneTimer?.Dispose();
            _duplicatePruneTimer = null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Duplicate-detection history of topic {Entity} could not be written")]
    private partial void LogHistoryWriteFailed(string entity, Exception exception);
}
