using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Loire.Silo.Health;

/// <summary>Registers the silo's health checks and maps <c>/health</c>, <c>/health/live</c> and <c>/health/ready</c>.</summary>
public static class SiloHealthEndpoints
{
    public static IServiceCollection AddSiloHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck("process", () => HealthCheckResult.Healthy("the silo process answers"), tags: [HealthTags.Live])
            .AddCheck<SiloMembershipHealthCheck>("membership", tags: [HealthTags.Ready])
            .AddCheck<MessageStoreHealthCheck>("store", tags: [HealthTags.Ready]);
        return services;
    }

    public static IEndpointRouteBuilder MapSiloHealthChecks(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health", Options(_ => true));
        endpoints.MapHealthChecks("/health/live", Options(tags => tags.Contains(HealthTags.Live)));
        endpoints.MapHealthChecks("/health/ready", Options(tags => tags.Contains(HealthTags.Ready)));
        return endpoints;
    }

    private static HealthCheckOptions Options(Func<IEnumerable<string>, bool> tagFilter) => new()
    {
        Predicate = registration => tagFilter(registration.Tags),
        ResponseWriter = HealthResponseWriter.WriteAsync,
    };
}
