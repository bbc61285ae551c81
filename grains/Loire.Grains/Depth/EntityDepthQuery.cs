using Loire.Entities;
using Loire.Partitions;
using Loire.Storage;

namespace Loire.Grains.Depth;

/// <summary>
/// Reads entity depths from the store's catalog, without activating any grain, and sums each entity's partitions.
/// Every silo can answer for every entity. Thread-safe.
/// </summary>
public sealed class EntityDepthQuery(IMessageStore store)
{
    // Catalog rows read per store call; a page of depths is about 100 bytes a row.
    private const int PageSize = 2048;

    /// <summary>
    /// Every queue, topic and subscription whose path starts with <paramref name="prefix"/> (all when null) and that
    /// <paramref name="include"/> accepts (all when null), in path order. Topics hold no messages (their subscriptions
    /// do) and report zeros. Only the included entities are kept in memory, with one page of catalog rows.
    /// </summary>
    public async Task<IReadOnlyList<EntityDepthSummary>> ReadAsync(string? prefix, Func<string, bool>? include = null,
        CancellationToken cancellationToken = default)
    {
        var entities = new List<EntityDepthSummary>();
        var byPath = new Dictionary<string, int>(StringComparer.Ordinal);
        var partitions = new List<(string Entity, EntityDepth? Depth)>();
        string? after = null;
        while (true)
        {
            var page = await store.ListDepthsAsync(prefix, after, PageSize, cancellationToken).ConfigureAwait(false);
            foreach (var record in page)
            {
                var (entity, partition) = EntityPartitions.Parse(record.Path);
                if (include is not null && !include(entity))
                {
                    continue;
                }

                if (partition > 0)
                {
                    // Sorted after the entity's own path, which may be on an earlier page: summed at the end.
                    partitions.Add((entity, record.Depth));
                    continue;
                }

                byPath[record.Path] = entities.Count;
                entities.Add(Summarize(record.Path, (EntityKind)record.Kind, record.Depth));
            }

            if (page.Count < PageSize)
            {
                break;
            }

            after = page[^1].Path;
        }

        foreach (var (entity, depth) in partitions)
        {
            if (byPath.TryGetValue(entity, out var index))
            {
                entities[index] = Add(entities[index], depth);
            }
        }

        return entities;
    }

    /// <summary>One entity's depth; null when there is no such entity.</summary>
    public async Task<EntityDepthSummary?> FindAsync(string path, CancellationToken cancellationToken = default)
    {
        // The entity and its partitions share its path as a prefix (with other entities that do, filtered out here).
        foreach (var entity in await ReadAsync(path, include: p => p == path, cancellationToken).ConfigureAwait(false))
        {
            if (entity.Path == path)
            {
                return entity;
            }
        }

        return null;
    }

    private static EntityDepthSummary Summarize(string path, EntityKind kind, EntityDepth? depth) => new()
    {
        Path = path,
        Kind = kind,
        ActiveMessages = depth?.Active ?? 0,
        ScheduledMessages = depth?.Scheduled ?? 0,
        DeferredMessages = depth?.Deferred ?? 0,
        DeadLetterMessages = depth?.DeadLetter ?? 0,
        SizeInBytes = depth?.SizeInBytes ?? 0,
        OldestActiveAt = depth?.OldestActiveAt,
        NextScheduledAt = depth?.NextScheduledAt,
        // A topic never records a depth, and needs none.
        IsRecorded = depth is not null || kind == EntityKind.Topic,
    };

    private static EntityDepthSummary Add(EntityDepthSummary entity, EntityDepth? depth) => depth is not { } d
        ? entity with { IsRecorded = false }
        : entity with
        {
            ActiveMessages = entity.ActiveMessages + d.Active,
            ScheduledMessages = entity.ScheduledMessages + d.Scheduled,
            DeferredMessages = entity.DeferredMessages + d.Deferred,
            DeadLetterMessages = entity.DeadLetterMessages + d.DeadLetter,
            SizeInBytes = entity.SizeInBytes + d.SizeInBytes,
            OldestActiveAt = Earliest(entity.OldestActiveAt, d.OldestActiveAt),
            NextScheduledAt = Earliest(entity.NextScheduledAt, d.NextScheduledAt),
        };

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;
}
