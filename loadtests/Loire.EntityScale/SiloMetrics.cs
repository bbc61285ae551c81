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

    /// <summary>
    /// Reads <paramref name="pathAndQuery"/> of the silo's HTTP port <paramref name="times"/> times; returns the median
    /// time in milliseconds and the last body.
    /// </summary>
    public async Task<(double MedianMs, string Body)> TimeGetAsync(string pathAndQuery, int times, CancellationToken cancellationToken)
    {
        var elapsed = new List<double>(times);
        var body = "";
        for (var i = 0; i < times; i++)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            body = await _http.GetStringAsync(new Uri(url, pathAndQuery), cancellationToken);
            elapsed.Add(watch.Elapsed.TotalMilliseconds);
        }

        elapsed.Sort();
        return (elapsed[elapsed.Count / 2], body);
    }

    public void Dispose() => _http.Dispose();
}
