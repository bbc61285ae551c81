using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace Loire.Grains.Traffic;

/// <summary>Answers for this silo's <see cref="EntityTrafficCounters"/>; reads only, so calls interleave freely.</summary>
[Reentrant]
internal sealed class EntityTrafficService(GrainId id, Silo silo, ILoggerFactory loggerFactory, EntityTrafficCounters counters)
    : GrainService(id, silo, loggerFactory), IEntityTrafficService
{
    public Task<EntityTraffic[]> GetTrafficAsync(string? prefix, int maxCount, CancellationToken cancellationToken = default) =>
        Task.FromResult(counters.Read(prefix, maxCount));
}
