using System.Net.Http.Json;

namespace Loire.Autoscale;

/// <summary>
/// The silo's scaler endpoint, as KEDA's metrics-api scaler reads it: <c>GET /scaler/v1/depth?prefix=P</c>, whose
/// <c>value</c> is the active message count summed over the entities under the prefix, read from the store's catalog
/// (idle entities count; any silo answers for all).
/// </summary>
internal sealed class ScalerDepthReader(HttpClient http)
{
    public const string DepthPath = "/scaler/v1/depth";

    /// <summary>The depth under <paramref name="prefix"/> from the first of <paramref name="silos"/> that answers; null when none does.</summary>
    public async Task<ScalerDepth?> ReadAsync(IEnumerable<Uri> silos, string prefix, CancellationToken cancellationToken)
    {
        foreach (var silo in silos)
        {
            try
            {
                var url = new Uri(silo, $"{DepthPath}?prefix={Uri.EscapeDataString(prefix)}");
                return await http.GetFromJsonAsync<ScalerDepth>(url, cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // That silo is starting or leaving: ask the next one.
            }
        }

        return null;
    }
}

/// <summary>The scaler endpoint's answer (the fields the controller uses).</summary>
internal sealed record ScalerDepth(
    string? Entity,
    string? Prefix,
    int Entities,
    long ActiveMessages,
    long DeadLetterMessages,
    long ScheduledMessages,
    long DeferredMessages,
    double OldestMessageAgeSeconds,
    double Value);
