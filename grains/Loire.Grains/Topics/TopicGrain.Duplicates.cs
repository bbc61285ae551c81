using Loire.Grains.Messaging;
using Loire.Messages;
using Loire.Storage;
using Microsoft.Extensions.Logging;

namespace Loire.Grains.Topics;

/// <summary>
/// Duplicate detection of a topic, before fan-out: a publish whose MessageId the topic accepted within its window is
/// acknowledged with the first copy's sequence number and reaches no subscription again. Its history records (under
/// <see cref="DuplicateDetector.HistoryPath"/>, keyed by the topic's sequence numbers) are written in the fan-out's
/// batch, with every subscription's copy: a publish is remembered exactly when it is stored.
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
            plan => PublishAsync(RequireTopic(), [.. plan.Unique], plan, cancellationToken));
        EnsureDuplicatePruning();
        return results;
    }

    /// <summary>Adds the history records of the plan's new MessageIds to the publish's batch (aligned with <see cref="DuplicatePlan.Unique"/>).</summary>
    private void AddDuplicateRecords(StoreBatch batch, DuplicatePlan plan, long[] sequenceNumbers)
    {
        var historyPath = DuplicateDetector.HistoryPath(Path);
        for (var u = 0; u < plan.Entries.Count; u++)
        {
            if (plan.Entries[u] is { } entry)
            {
                entry.SequenceNumber = sequenceNumbers[u];
                entry.RecordKey = sequenceNumbers[u];
                batch.PutMessage(historyPath, entry.RecordKey, DuplicateDetector.Encode(entry), ReadOnlyMemory<byte>.Empty);
            }
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
