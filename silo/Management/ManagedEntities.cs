using Loire.Client;
using Loire.Entities;
using Loire.Grains;
using Loire.Partitions;

namespace Loire.Silo.Management;

/// <summary>
/// The management API's way to the broker: the catalog for existence and settings (no grain activates for a read),
/// the entity grains for everything live.
/// </summary>
public sealed class ManagedEntities(IGrainFactory grains)
{
    private const long CatalogKey = 0;

    public IEntityCatalogGrain Catalog => grains.GetGrain<IEntityCatalogGrain>(CatalogKey);

    public IQueueGrain Queue(string grainPath) => grains.GetGrain<IQueueGrain>(grainPath);

    public ITopicGrain Topic(string topicPath) => grains.GetGrain<ITopicGrain>(topicPath);

    public IEntityGrain Entity(EntityDescription entity, int partition = 0) =>
        EntityGrains.Get(grains, entity.Kind, EntityPartitions.GrainPath(entity.Path, partition));

    /// <summary>The catalog entry at <paramref name="path"/>; MessagingEntityNotFound unless it is a <paramref name="kind"/>.</summary>
    public async Task<EntityDescription> RequireAsync(string path, EntityKind kind, CancellationToken cancellationToken)
    {
        var entity = await Catalog.FindAsync(path, cancellationToken);
        return entity is not null && entity.Kind == kind
            ? entity
            : throw new LoireException(LoireErrorReason.MessagingEntityNotFound, $"No {Describe(kind)} named '{path}' exists.", path);
    }

    /// <summary>A queue or a subscription: what holds messages and a dead-letter queue.</summary>
    public async Task<EntityDescription> RequireReceivableAsync(string path, CancellationToken cancellationToken)
    {
        var entity = await Catalog.FindAsync(path, cancellationToken);
        return entity is { Kind: EntityKind.Queue or EntityKind.Subscription }
            ? entity
            : throw new LoireException(LoireErrorReason.MessagingEntityNotFound, $"No queue or subscription named '{path}' exists.", path);
    }

    public static string Describe(EntityKind kind) => kind switch
    {
        EntityKind.Queue => "queue",
        EntityKind.Topic => "topic",
        _ => "subscription",
    };
}
