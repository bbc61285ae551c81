using System.Collections.Concurrent;
using Loire.Partitions;

namespace Loire.Grains.Traffic;

/// <summary>
/// Cumulative message counts per entity on this silo, since it started: what the entity grains hosted here sent,
/// delivered, completed and dead-lettered. Unlike the meter's counters they are readable in process, so
/// <see cref="EntityTrafficService"/> can answer for this silo and the management API can add the silos up.
/// Counts only grow while the silo runs; an entity that moves to another silo keeps its old counts here.
/// </summary>
internal sealed class EntityTrafficCounters
{
    private readonly ConcurrentDictionary<string, Counts> _byEntity = new(StringComparer.Ordinal);

    public void Sent(string grainPath, long count) => Add(grainPath, count, static (c, n) => Interlocked.Add(ref c.Sent, n));

    public void Delivered(string grainPath, long count) => Add(grainPath, count, static (c, n) => Interlocked.Add(ref c.Delivered, n));

    public void Completed(string grainPath, long count) => Add(grainPath, count, static (c, n) => Interlocked.Add(ref c.Completed, n));

    public void DeadLettered(string grainPath, long count) => Add(grainPath, count, static (c, n) => Interlocked.Add(ref c.DeadLettered, n));

    /// <summary>Forgets a deleted entity, so a new one of the same name starts from zero and deleted names cost no memory.</summary>
    public void Remove(string grainPath) => _byEntity.TryRemove(EntityPartitions.Parse(grainPath).EntityPath, out _);

    /// <summary>Up to <paramref name="maxCount"/> entities under <paramref name="prefix"/> (all when null), in path order.</summary>
    public EntityTraffic[] Read(string? prefix, int maxCount) => _byEntity
        .Where(e => prefix is null || e.Key.StartsWith(prefix, StringComparison.Ordinal))
        .OrderBy(e => e.Key, StringComparer.Ordinal)
        .Take(maxCount)
        .Select(e => new EntityTraffic(e.Key, Volatile.Read(ref e.Value.Sent), Volatile.Read(ref e.Value.Delivered),
            Volatile.Read(ref e.Value.Completed), Volatile.Read(ref e.Value.DeadLettered)))
        .ToArray();

    private void Add(string grainPath, long count, Action<Counts, long> add)
    {
        if (count > 0)
        {
            // Partitions of an entity count as the entity, as the meter's counters do.
            add(_byEntity.GetOrAdd(EntityPartitions.Parse(grainPath).EntityPath, static _ => new Counts()), count);
        }
    }

    private sealed class Counts
    {
        public long Sent;
        public long Delivered;
        public long Completed;
        public long DeadLettered;
    }
}
