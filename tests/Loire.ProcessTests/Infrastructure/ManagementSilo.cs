using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loire.Client;

namespace Loire.ProcessTests.Infrastructure;

/// <summary>
/// One silo process shared by the management API tests (each test uses its own entity names), with a .NET client on
/// its gateway and an HTTP client on its management API.
/// </summary>
public sealed class ManagementSilo : IAsyncLifetime
{
    private SiloProcess? _silo;

    public LoireClient Client { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(SiloProcess.ReadyTimeout);
        _silo = await SiloProcess.StartAsync(log: null, timeout.Token);
        Client = new LoireClient(_silo.Gateway);
        Http = new HttpClient { BaseAddress = new Uri(_silo.HttpAddress, "api/v1/"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (Client is not null)
        {
            await Client.DisposeAsync();
        }

        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }
    }

    /// <summary>Sends a request with a JSON body (raw text, so malformed bodies can be sent too) and returns status and parsed body.</summary>
    public async Task<(int Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (response.Content.Headers.ContentType?.MediaType is { } mediaType && (int)response.StatusCode >= 400)
        {
            Assert.Equal("application/problem+json", mediaType);
        }

        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    public Task<(int Status, JsonNode? Body)> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    /// <summary>Asserts a problem response: its status and the broker's reason name.</summary>
    public static void AssertProblem((int Status, JsonNode? Body) response, int status, string reason, string? detailContains = null)
    {
        Assert.Equal(status, response.Status);
        Assert.Equal(reason, (string?)response.Body?["reason"]);
        if (detailContains is not null)
        {
            Assert.Contains(detailContains, (string?)response.Body?["detail"] ?? "");
        }
    }

    /// <summary>Polls until <paramref name="condition"/> holds, failing after <paramref name="timeout"/>.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting until {what}.");
            await Task.Delay(50);
        }
    }

    public static string Json(object value) => JsonSerializer.Serialize(value, JsonSerializerOptions.Web);

    public static T? As<T>(JsonNode? node) => node.Deserialize<T>(JsonSerializerOptions.Web);
}
