using Loire.Entities;
using Loire.Grains.Persistence;
using Loire.Partitions;
using Loire.Storage;
using Orleans.Concurrency;

namespace Loire.Grains.Catalog;

/// <summary>Answers catalog questions straight from the store, on every silo, without activating entity grains.</summary>
[StatelessWorker]
[GrainType("loire-catalog")]
internal sealed class EntityCatalogGrain(IMessageStore store, GrainPayloadCodec codec) : Grain, IEntityCatalogGrain
{
    private const int MaxPageSize = 1_000;

    public async Task<EntityDescription?> FindAsync(string path, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        var record = await store.GetEntityAsync(path, cancellationToken);
        return record is null ? null : codec.DecodeEntity(record).Description;
    }

    public async Task<EntityDescription[]> ListAsync(EntityKind kind, string? afterPath, int maxCount, CancellationToken cancellationToken = default)
    {
        // Partitions other than 0 are stored as records of their own but are not entities: skip them, and read on so a
        // full page still means "there may be more".
        var pageSize = Math.Clamp(maxCount, 1, MaxPageSize);
        var result = new List<EntityDescription>(pageSize);
        while (true)
        {
            var records = await store.ListEntitiesAsync((int)kind, null, afterPath, pageSize, cancellationToken);
            foreach (var record in records)
            {
                if (!EntityPartitions.IsPartitionPath(record.Path) && result.Count < pageSize)
                {
                    result.Add(codec.DecodeEntity(record).Description);
                }
            }

            if (records.Count < pageSize || result.Count >= pageSize)
            {
                return [.. result];
            }

            afterPath = records[^1].Path;
        }
    }
}
