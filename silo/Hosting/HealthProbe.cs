namespace Loire.Silo.Hosting;

/// <summary>
/// <c>Loire.Silo --probe URL</c>: one GET, exit 0 on a 2xx answer and 1 otherwise. Container runtime images carry
/// no curl or wget, so a HEALTHCHECK runs the silo executable itself in this mode; it starts no silo.
/// </summary>
public static class HealthProbe
{
    public const string Flag = "--probe";

    /// <summary>Longer than a healthy silo ever takes to answer, shorter than Docker's default 30 s check timeout.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public static bool IsRequested(IReadOnlyList<string> args) =>
        args.Count > 0 && string.Equals(args[0], Flag, StringComparison.OrdinalIgnoreCase);

    /// <summary>Runs the probe; returns the exit code: 0 healthy, 1 unhealthy or unreachable, 2 bad usage.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        if (args.Count != 2 || !Uri.TryCreate(args[1], UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            error.WriteLine($"error: usage: {Flag} http://HOST:PORT/PATH, e.g. {Flag} http://127.0.0.1:5080/health/live");
            return 2;
        }

        using var http = new HttpClient { Timeout = Timeout };
        try
        {
            using var response = await http.GetAsync(url);
            output.WriteLine($"{url} {(int)response.StatusCode} {response.ReasonPhrase}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            error.WriteLine($"{url} unreachable: {e.Message}");
            return 1;
        }
    }
}
