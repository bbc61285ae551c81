using Loire.Grains.Depth;

namespace Loire.Silo.Management;

/// <summary>
/// One page of entities in path order. <see cref="ContinuationToken"/> is the last path of the page, to pass as
/// <c>after</c> for the next one; null on the last page.
/// </summary>
public sealed record EntityListResponse(IReadOnlyList<EntityListItem> Entities, string? ContinuationToken);

/// <summary>An entity in a listing; <see cref="Depth"/> only when asked for (<c>depth=true</c>).</summary>
public sealed record EntityListItem(string Path, ManagedEntityKind Kind, RecordedDepth? Depth);

/// <summary>
/// The depth the entity last recorded in the catalog (partitions summed), read without activating it; a second or
/// so behind settlements. <see cref="IsRecorded"/> is false while some partition never recorded one.
/// </summary>
public sealed record RecordedDepth(
    long ActiveMessages,
    long DeadLetterMessages,
    long ScheduledMessages,
    long DeferredMessages,
    long SizeInBytes,
    DateTimeOffset? OldestActiveAt,
    bool IsRecorded)
{
    public static RecordedDepth From(EntityDepthSummary d) => new(
        d.ActiveMessages, d.DeadLetterMessages, d.ScheduledMessages, d.DeferredMessages, d.SizeInBytes, d.OldestActiveAt, d.IsRecorded);
}
