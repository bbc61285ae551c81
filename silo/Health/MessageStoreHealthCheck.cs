using Loire.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Loire.Silo.Health;

/// <summary>Healthy when the message store answers a one-row catalog read in time.</summary>
public sealed class MessageStoreHealthCheck(IServiceProvider services) : IHealthCheck
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // Resolved per call, not injected: a missing registration should read as unhealthy, not fail the endpoint.
        var store = services.GetService<IMessageStore>();
        if (store is null)
        {
            return HealthCheckResult.Unhealthy("no message store is registered");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_timeout);
        try
        {
            await store.ListEntitiesAsync(null, null, null, 1, timeout.Token);
            return HealthCheckResult.Healthy("message store is reachable");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"message store did not answer within {s_timeout.TotalSeconds:0} s");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"message store is unreachable: {e.Message}", e);
        }
    }
}
