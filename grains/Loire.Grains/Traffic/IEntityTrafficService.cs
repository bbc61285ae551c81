using Orleans.Services;

namespace Loire.Grains.Traffic;

/// <summary>One per silo: that silo's traffic counts. Reached through <see cref="EntityTrafficClient"/>, silo by silo.</summary>
[Alias("loire.IEntityTrafficService")]
public interface IEntityTrafficService : IGrainService
{
    [Alias("GetTraffic")]
    Task<EntityTraffic[]> GetTrafficAsync(string? prefix, int maxCount, CancellationToken cancellationToken = default);
}
