using Loire.Entities;

namespace Loire.Grains;

/// <summary>Finds the grain of an entity whose kind is known only at run time.</summary>
public static class EntityGrains
{
    /// <summary>The topic grain for a topic, the queue grain for a queue or subscription, at <paramref name="grainPath"/>.</summary>
    public static IEntityGrain Get(IGrainFactory grainFactory, EntityKind kind, string grainPath) => kind == EntityKind.Topic
        ? grainFactory.GetGrain<ITopicGrain>(grainPath)
        : grainFactory.GetGrain<IQueueGrain>(grainPath);
}
