using Loire.Silo.Configuration;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Loire.Silo.Hosting;

/// <summary>
/// OpenTelemetry of the silo: metrics exported for a Prometheus scrape at <c>/metrics</c>, and, with
/// <c>--otlp-endpoint</c>, traces exported over OTLP.
/// </summary>
public static class SiloTelemetry
{
    public const string ServiceName = "loire-silo";

    /// <summary>The broker's own meter and activity source (DESIGN.md section 6).</summary>
    public const string LoireMeterName = "Loire";

    public const string OrleansMeterName = "Microsoft.Orleans";

    /// <summary>.NET's own runtime meter: garbage collection, thread pool, lock contention, exceptions.</summary>
    public const string RuntimeMeterName = "System.Runtime";

    /// <summary>Orleans' grain-call spans (they need <c>AddActivityPropagation</c>, which the silo calls).</summary>
    public static readonly string[] OrleansActivitySources = ["Microsoft.Orleans.Application", "Microsoft.Orleans.Runtime"];

    public static IServiceCollection AddSiloTelemetry(this IServiceCollection services, LoireSiloOptions options)
    {
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithMetrics(metrics => metrics
                .AddMeter(LoireMeterName, OrleansMeterName, RuntimeMeterName)
                .AddPrometheusExporter());
        if (options.OtlpEndpoint is { } endpoint)
        {
            // Only with an exporter: a tracer provider listening to Loire makes every send and delivery record spans.
            telemetry.WithTracing(tracing =>
            {
                tracing.AddSource(LoireMeterName);
                if (options.TraceOrleans)
                {
                    tracing.AddSource(OrleansActivitySources);
                }

                tracing.AddOtlpExporter(otlp =>
                {
                    otlp.Protocol = options.OtlpProtocol == OtlpProtocolKind.Http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
                    otlp.Endpoint = TracesEndpoint(new Uri(endpoint), options.OtlpProtocol);
                });
            });
        }

        return services;
    }

    /// <summary>
    /// The URL spans are sent to. An endpoint set in code is used as given, so over http a bare collector address
    /// gets the conventional <c>/v1/traces</c> path, as the <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> variable would.
    /// </summary>
    public static Uri TracesEndpoint(Uri endpoint, OtlpProtocolKind protocol) =>
        protocol == OtlpProtocolKind.Http && endpoint.AbsolutePath == "/" ? new Uri(endpoint, "v1/traces") : endpoint;
}
