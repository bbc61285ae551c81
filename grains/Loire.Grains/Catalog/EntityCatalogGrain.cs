using Loire.Entities;
using Loire.Grains.Persistence;
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
        var records = await store.ListEntitiesAsync((int)kind, null, afterPath, Math.Clamp(maxCount, 1, MaxPageSize), cancellationToken);
        return records.Select(r => codec.DecodeEntity(r).Description).ToArray();
    }
}
