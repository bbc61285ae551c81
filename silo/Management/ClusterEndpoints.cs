using Loire.Grains.Traffic;
using Orleans.Runtime;

namespace Loire.Silo.Management;

/// <summary>
/// <c>GET /api/v1/cluster</c>: the silos of Orleans' membership with their status, and how many entity grains each
/// hosts now (Orleans' own activation counts); <c>GET /api/v1/traffic</c>: cumulative message counts per entity summed
/// over the active silos (see <see cref="EntityTrafficClient"/>), from which a reader derives rates.
/// </summary>
public static class ClusterEndpoints
{
    public const int DefaultTrafficEntities = 1000;

    public const int MaxTrafficEntities = 10_000;

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/cluster", GetClusterAsync).WithTags("Cluster")
            .WithSummary("Silos in the membership table and the entity grains each hosts.")
            .Produces<ClusterResponse>();
        api.MapGet("/traffic", GetTrafficAsync).WithTags("Cluster")
            .WithSummary("Messages sent, delivered, completed and dead-lettered per entity since each silo started, summed over the active silos.")
            .Produces<TrafficResponse>();
    }

    private static async Task<IResult> GetClusterAsync(IGrainFactory grains, ILocalSiloDetails self, CancellationToken ct)
    {
        var management = grains.GetGrain<IManagementGrain>(0);
        var hosts = await management.GetDetailedHosts(onlyActive: false);
        var statistics = await management.GetSimpleGrainStatistics();
        var counts = statistics
            .Select(s => (s.SiloAddress, Kind: EntityGrainTypes.KindOf(s.GrainType), s.ActivationCount))
            .Where(s => s.Kind is not null)
            .GroupBy(s => (s.SiloAddress, s.Kind))
            .ToDictionary(g => g.Key, g => g.Sum(s => s.ActivationCount));
        var totals = statistics.GroupBy(s => s.SiloAddress).ToDictionary(g => g.Key, g => g.Sum(s => s.ActivationCount));
        var silos = hosts
            .OrderBy(h => h.Status == SiloStatus.Active ? 0 : 1).ThenBy(h => h.SiloAddress.ToString(), StringComparer.Ordinal)
            .Select(h => new SiloResponse(
                h.SiloAddress.ToParsableString(),
                h.SiloName,
                h.Status.ToString(),
                h.StartTime,
                h.IAmAliveTime,
                h.SiloAddress.Equals(self.SiloAddress),
                counts.GetValueOrDefault((h.SiloAddress, "queue")),
                counts.GetValueOrDefault((h.SiloAddress, "topic")),
                totals.GetValueOrDefault(h.SiloAddress)))
            .ToArray();
        return ManagementApi.Json(new ClusterResponse(silos, "/dashboard/"));
    }

    private static async Task<IResult> GetTrafficAsync(string? prefix, string? top, IGrainFactory grains, EntityTrafficClient traffic,
        TimeProvider time, CancellationToken ct)
    {
        var maxCount = ManagementQuery.Int(top, "top", DefaultTrafficEntities, 1, MaxTrafficEntities);
        var silos = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        var entities = await traffic.ReadAsync(silos.Keys, string.IsNullOrEmpty(prefix) ? null : prefix, maxCount, ct);
        return ManagementApi.Json(new TrafficResponse(time.GetUtcNow(), silos.Count,
            entities.Select(e => new EntityTrafficResponse(e.Path, e.Sent, e.Delivered, e.Completed, e.DeadLettered)).ToArray()));
    }
}

/// <summary>The cluster as its membership table has it; the dashboard has the rest of Orleans' view.</summary>
public sealed record ClusterResponse(IReadOnlyList<SiloResponse> Silos, string DashboardPath);

/// <summary>
/// One silo. <see cref="QueueActivations"/> counts queue and subscription grains (a partitioned entity has one per
/// partition), <see cref="TopicActivations"/> topic grains, <see cref="TotalActivations"/> every grain Orleans reports.
/// </summary>
public sealed record SiloResponse(
    string Address,
    string? Name,
    string Status,
    DateTime StartedAt,
    DateTime LastAliveAt,
    bool AnsweringThisRequest,
    int QueueActivations,
    int TopicActivations,
    int TotalActivations);

/// <summary>Cumulative counts read at <see cref="At"/> from <see cref="Silos"/> active silos; rates are differences of two reads.</summary>
public sealed record TrafficResponse(DateTimeOffset At, int Silos, IReadOnlyList<EntityTrafficResponse> Entities);

public sealed record EntityTrafficResponse(string Path, long Sent, long Delivered, long Completed, long DeadLettered);
