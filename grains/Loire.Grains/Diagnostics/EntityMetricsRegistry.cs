using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Loire.Partitions;

namespace Loire.Grains.Diagnostics;

/// <summary>Counts of one entity as the metrics exporter reads them.</summary>
internal readonly record struct EntityCounts(long Active, long DeadLetter, long Scheduled, long Deferred, long Locked, long SizeInBytes)
{
    public bool IsEmpty => Active == 0 && DeadLetter == 0 && Scheduled == 0 && Deferred == 0;
}

/// <summary>
/// Depth gauges of the entities this silo hosts. Active grains publish a live source; a deactivated grain leaves
/// its last counts behind when it still holds messages, because nothing changes them until it activates again,
/// and autoscalers must see the depth of a queue nobody is consuming.
/// </summary>
internal sealed class EntityMetricsRegistry
{
    private readonly ConcurrentDictionary<string, Func<EntityCounts>> _sources = new(StringComparer.Ordinal);

    public void Publish(string entity, Func<EntityCounts> source) => _sources[entity] = source;

    public void Retire(string entity, EntityCounts last)
    {
        if (last.IsEmpty)
        {
            _sources.TryRemove(entity, out _);
        }
        else
        {
            _sources[entity] = () => last;
        }
    }

    public void Forget(string entity) => _sources.TryRemove(entity, out _);

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
