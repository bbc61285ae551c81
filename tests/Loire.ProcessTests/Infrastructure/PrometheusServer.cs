using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;

namespace Loire.ProcessTests.Infrastructure;

/// <summary>
/// One Prometheus server (Debian's <c>prometheus</c> binary) as a child process on a free loopback port, scraping the
/// given targets every second into a temporary TSDB. Disposing kills it by its pid and deletes its folder.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Where test.sh extracts the prometheus package without installing it (an install would start a server).</summary>
    private static readonly string s_extracted = Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "loire", "promtool", "usr", "bin", "prometheus");

    private readonly ServerProcess _server;
    private readonly HttpClient _http;

    private PrometheusServer(ServerProcess server, int port)
    {
        _server = server;
        Port = port;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
    }

    public int Port { get; }

    public int ProcessId => _server.ProcessId;

    /// <summary>
    /// Starts Prometheus scraping <paramref name="targets"/> (host:port, path /metrics) as job <c>loire</c> and waits
    /// until it reports ready; fails clearly when the binary cannot be found.
    /// </summary>
    public static async Task<PrometheusServer> StartAsync(IEnumerable<string> targets, ITestOutputHelper? log = null, CancellationToken cancellationToken = default)
    {
        var executable = Environment.GetEnvironmentVariable("LOIRE_PROMETHEUS") is { Length: > 0 } configured ? configured
            : ExecutableSearch.Find("prometheus") ?? (File.Exists(s_extracted) ? s_extracted : null)
            ?? throw new InvalidOperationException(
                $"prometheus was not found on PATH nor at {s_extracted}; test.sh extracts it there from Debian's prometheus package "
                + "(LOIRE_PROMETHEUS names another binary).");
        var root = Directory.CreateTempSubdirectory("loire-prometheus-").FullName;
        var config = Path.Combine(root, "prometheus.yml");
        var targetList = string.Join(", ", targets.Select(t => $"'{t}'"));
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: loire
                metrics_path: /metrics
                static_configs:
                  - targets: [{targetList}]
            """, cancellationToken);

        var port = FreePorts.Pick(1)[0];
        var server = new PrometheusServer(new ServerProcess("prometheus", log, root), port);
        try
        {
            string[] args =
            [
                $"--config.file={config}",
                $"--storage.tsdb.path={Path.Combine(root, "data")}",
                $"--web.listen-address=127.0.0.1:{port}",
                "--log.level=warn",
            ];
            await server._server.StartAsync(executable, args, $"port {port}", server.IsReadyAsync, ReadyTimeout, cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>The values of an instant query (HTTP API <c>/api/v1/query</c>), one per series, by the series' labels.</summary>
    public async Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)>> QueryAsync(string promQl, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync($"api/v1/query?query={Uri.EscapeDataString(promQl)}", cancellationToken);
        response.EnsureSuccessStatusCode();
        using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
        var data = document.RootElement.GetProperty("data");
        var series = new List<(IReadOnlyDictionary<string, string>, double)>();
        foreach (var item in data.GetProperty("result").EnumerateArray())
        {
            var labels = item.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
            // A sample is [unix time, "value"]: the value is a string so NaN and infinities survive JSON.
            var value = double.Parse(item.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
            series.Add((labels, value));
        }

        return series;
    }

    /// <summary>Polls <paramref name="promQl"/> until a series satisfies <paramref name="condition"/>; the last answer is in the timeout's message.</summary>
    public async Task<double> WaitForValueAsync(string promQl, Func<double, bool> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = "no answer";
        while (true)
        {
            var result = await QueryAsync(promQl, cancellationToken);
            if (result.Select(r => r.Value).Where(condition).Cast<double?>().FirstOrDefault() is { } value)
            {
                return value;
            }

            last = result.Count == 0 ? "no series" : string.Join("; ", result.Select(r => r.Value.ToString(CultureInfo.InvariantCulture)));
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Prometheus never answered '{promQl}' as expected within {timeout.TotalSeconds:0} s; last: {last}.{Environment.NewLine}{_server.Output}");
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync("-/ready", cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
