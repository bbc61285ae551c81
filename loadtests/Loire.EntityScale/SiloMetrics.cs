using System.Globalization;

namespace Loire.EntityScale;

/// <summary>Reads the silo's activation count from its Prometheus endpoint.</summary>
internal sealed class SiloMetrics(Uri url) : IDisposable
{
    private const string Activations = "orleans_catalog_activations";

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Grain activations on the silo (all grain types), summed over the gauge's series.</summary>
    public async Task<long> GetActivationsAsync(CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        var total = 0L;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith(Activations, StringComparison.Ordinal) && line.Length > Activations.Length
                && line[Activations.Length] is ' ' or '{')
            {
                // name{labels} value [timestamp]
                var rest = line[Activations.Length] == '{' ? line[(line.IndexOf('}') + 1)..] : line[Activations.Length..];
                var value = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                total += (long)double.Parse(value, CultureInfo.InvariantCulture);
            }
        }

        return total;
    }

    public void Dispose() => _http.Dispose();
}
