using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Loire.Silo.Hosting;

/// <summary>OpenTelemetry metrics of the silo, exported for a Prometheus scrape at <c>/metrics</c>.</summary>
public static class SiloTelemetry
{
    public const string ServiceName = "loire-silo";

    /// <summary>The broker's own meter (DESIGN.md section 6).</summary>
    public const string LoireMeterName = "Loire";

    public const string OrleansMeterName = "Microsoft.Orleans";

    public static IServiceCollection AddSiloTelemetry(this IServiceCollection services)
    {
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithMetrics(metrics => metrics
                .AddMeter(LoireMeterName, OrleansMeterName)
                .AddPrometheusExporter());
        return services;
    }
}
