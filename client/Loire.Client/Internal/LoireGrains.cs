using Loire.Entities;
using Loire.Grains;

namespace Loire.Client.Internal;

/// <summary>Typed access to the broker's grains through one grain factory.</summary>
internal readonly struct LoireGrains(IGrainFactory grainFactory)
{
    /// <summary>Key of the single entity catalog grain.</summary>
    public const long CatalogKey = 0;

    public IQueueGrain Queue(string entityPath) => grainFactory.GetGrain<IQueueGrain>(entityPath);

    public ITopicGrain Topic(string topicPath) => grainFactory.GetGrain<ITopicGrain>(topicPath);

    public IEntityGrain Entity(EntityKind kind, string grainPath) => EntityGrains.Get(grainFactory, kind, grainPath);

    public IEntityCatalogGrain Catalog => grainFactory.GetGrain<IEntityCatalogGrain>(CatalogKey);
}
