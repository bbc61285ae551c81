using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Loire.Partitions;

namespace Loire.Grains.Diagnostics;

/// <summary>
/// Live gauges of the entities active on this silo: what only the hosting grain knows (locks are not stored). A grain
/// publishes its source when it activates and removes it when it deactivates, so in a cluster only the silo hosting an
/// entity reports it. Depths come from the catalog instead (<see cref="EntityDepthPublisher"/>), for every entity.
/// </summary>
internal sealed class EntityMetricsRegistry
{
    private readonly ConcurrentDictionary<string, Func<long>> _lockedCounts = new(StringComparer.Ordinal);

    public void Publish(string entity, Func<long> lockedCount) => _lockedCounts[entity] = lockedCount;

    public void Remove(string entity) => _lockedCounts.TryRemove(entity, out _);

    /// <summary>
    /// One measurement per entity grain, tagged <c>entity</c>; partitions 1..P-1 of a partitioned entity also carry
    /// <c>partition</c>, so summing by <c>entity</c> gives the entity's count.
    /// </summary>
    public IEnumerable<Measurement<long>> ObserveLocked()
    {
        foreach (var (grainPath, lockedCount) in _lockedCounts)
        {
            var (entity, partition) = EntityPartitions.Parse(grainPath);
            var entityTag = new KeyValuePair<string, object?>("entity", entity);
            yield return partition == 0
                ? new Measurement<long>(lockedCount(), entityTag)
                : new Measurement<long>(lockedCount(), entityTag, new KeyValuePair<string, object?>("partition", partition.ToString(CultureInfo.InvariantCulture)));
        }
    }
}
