using Orleans.Runtime;
using Orleans.Runtime.Services;

namespace Loire.Grains.Traffic;

/// <summary>
/// Reads traffic cluster-wide: asks every given silo's <see cref="IEntityTrafficService"/> and sums per entity. Each
/// entity grain counts on the silo hosting it, so the sum counts each message once; a silo that died takes its counts
/// with it, so a sum can go down, which readers of rates treat as a counter reset (as Prometheus' rate() does).
/// </summary>
public sealed class EntityTrafficClient(IServiceProvider services) : GrainServiceClient<IEntityTrafficService>(services)
{
    /// <summary>Up to <paramref name="maxCount"/> entities under <paramref name="prefix"/>, in path order, summed over <paramref name="silos"/>.</summary>
    public async Task<EntityTraffic[]> ReadAsync(IEnumerable<SiloAddress> silos, string? prefix, int maxCount, CancellationToken cancellationToken)
    {
        var replies = await Task.WhenAll(silos.Select(silo => GetGrainService(silo).GetTrafficAsync(prefix, maxCount, cancellationToken)));
        var byPath = new SortedDictionary<string, EntityTraffic>(StringComparer.Ordinal);
        foreach (var entity in replies.SelectMany(r => r))
        {
            byPath[entity.Path] = byPath.TryGetValue(entity.Path, out var sum) ? sum.Add(entity) : entity;
        }

        return byPath.Values.Take(maxCount).ToArray();
    }
}
