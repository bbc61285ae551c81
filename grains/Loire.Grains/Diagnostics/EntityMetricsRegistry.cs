using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Loire.Partitions;

namespace Loire.Grains.Diagnostics;

/// <summary>Counts of one entity as the metrics exporter reads them.</summary>
internal readonly record struct EntityCounts(long Active, long DeadLetter, long Scheduled, long Deferred, long Locked, long SizeInBytes);

/// <summary>
/// Depth gauges of the entities active on this silo. A grain publishes a live source when it activates and removes it
/// when it deactivates: keeping the counts of deactivated entities would cost memory for every entity that ever ran
/// here (a million idle queues), and in a cluster the silo that last hosted an entity would go on reporting it next to
/// the silo that hosts it now. An idle entity's depth is still there in its runtime properties (reading them activates it).
/// </summary>
internal sealed class EntityMetricsRegistry
{
    private readonly ConcurrentDictionary<string, Func<EntityCounts>> _sources = new(StringComparer.Ordinal);

    public void Publish(string entity, Func<EntityCounts> source) => _sources[entity] = source;

    public void Remove(string entity) => _sources.TryRemove(entity, out _);

    /// <summary>
    /// One measurement per entity grain, tagged <c>entity</c>; partitions 1..P-1 of a partitioned entity also carry
    /// <c>partition</c>, so summing by <c>entity</c> gives the entity's depth.
    /// </summary>
    public IEnumerable<Measurement<long>> Observe(Func<EntityCounts, long> select)
    {
        foreach (var (grainPath, source) in _sources)
        {
            var (entity, partition) = EntityPartitions.Parse(grainPath);
            var entityTag = new KeyValuePair<string, object?>("entity", entity);
            yield return partition == 0
                ? new Measurement<long>(select(source()), entityTag)
                : new Measurement<long>(select(source()), entityTag, new KeyValuePair<string, object?>("partition", partition.ToString(CultureInfo.InvariantCulture)));
        }
    }
}
