using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Loire.Client;
using Loire.Client.Administration;
using Loire.ProcessTests.Infrastructure;

namespace Loire.ProcessTests;

/// <summary>Depth gauges and the scaler endpoint of a two-silo cluster: every entity counted once, idle ones included.</summary>
public sealed partial class ClusterTests
{
    private const string DepthMetric = "loire_entity_active_messages";

    [Fact]
    public async Task EveryEntityDepthIsExportedByExactlyOneSiloAndAnySiloAnswersTheScaler()
    {
        const int queues = 12;
        using var timeout = new CancellationTokenSource(s_testTimeout);
        var ct = timeout.Token;
        await using var redis = await RedisServer.StartAsync(log, ct);
        await using var first = await StartClusterSiloAsync(redis, ct, "--depth-interval", "1");
        await using var second = await StartClusterSiloAsync(redis, ct, "--depth-interval", "1");

        // Queue i holds i messages; nothing receives, so the counts stay put.
        var names = Enumerable.Range(0, queues).Select(i => $"depth-{i:D2}").ToList();
        await using (var client = new LoireClient(ClientOptions(first, second)))
        {
            var admin = client.CreateAdministrationClient();
            for (var i = 0; i < queues; i++)
            {
                await admin.CreateQueueAsync(new CreateQueueOptions(names[i]), ct);
                await client.CreateSender(names[i]).SendMessagesAsync(Enumerable.Range(0, i).Select(IndexedMessages.Create), ct);
            }
        }

        // Both silos export a share, the shares do not overlap, and each value is the queue's depth.
        var exported = await WaitForDepthsAsync([first, second], names, TimeSpan.FromSeconds(30), ct);
        log.WriteLine($"first silo exports {exported[0].Count}, second {exported[1].Count} of {queues} depths");
        Assert.Empty(exported[0].Keys.Intersect(exported[1].Keys));
        Assert.Equal(queues, exported[0].Count + exported[1].Count);
        Assert.True(exported[0].Count > 0 && exported[1].Count > 0, "One silo exported every depth.");
        foreach (var (name, value) in exported.SelectMany(e => e))
        {
            Assert.Equal(names.IndexOf(name), value);
        }

        // The scaler endpoint answers for every entity on every silo, from the catalog.
        using var http = new HttpClient { BaseAddress = second.HttpAddress };
        using var one = await GetJsonAsync(http, "scaler/v1/depth?entity=depth-05", ct);
        Assert.Equal(5, one.RootElement.GetProperty("value").GetDouble());
        Assert.Equal(5, one.RootElement.GetProperty("activeMessages").GetInt64());
        Assert.True(one.RootElement.GetProperty("oldestMessageAgeSeconds").GetDouble() > 0);
        using var all = await GetJsonAsync(http, "scaler/v1/depth?prefix=depth-", ct);
        Assert.Equal(queues, all.RootElement.GetProperty("entities").GetInt32());
        Assert.Equal(queues * (queues - 1) / 2, all.RootElement.GetProperty("value").GetDouble());

        // Bad input is refused with the broker's error reasons.
        await AssertProblemAsync(http, "scaler/v1/depth?entity=missing-queue", HttpStatusCode.NotFound, "MessagingEntityNotFound", ct);
        await AssertProblemAsync(http, "scaler/v1/depth?entity=bad%20name%21", HttpStatusCode.BadRequest, "InvalidArgument", ct);
        await AssertProblemAsync(http, "scaler/v1/depth?entity=a&prefix=b", HttpStatusCode.BadRequest, "InvalidArgument", ct);
        await AssertProblemAsync(http, "scaler/v1/depth?prefix=depth-&metric=nonsense", HttpStatusCode.BadRequest, "InvalidArgument", ct);
    }

    /// <summary>For each silo, the depths it exports of <paramref name="entities"/>, once every entity is found.</summary>
    private static async Task<List<Dictionary<string, long>>> WaitForDepthsAsync(
        IReadOnlyList<SiloProcess> silos, IReadOnlyCollection<string> entities, TimeSpan deadline, CancellationToken ct)
    {
        var timer = Stopwatch.StartNew();
        while (true)
        {
            var exported = new List<Dictionary<string, long>>();
            foreach (var silo in silos)
            {
                using var http = new HttpClient { BaseAddress = silo.HttpAddress };
                var lines = (await http.GetStringAsync("metrics", ct)).Split('\n')
                    .Where(line => line.StartsWith(DepthMetric + "{", StringComparison.Ordinal));
                var depths = new Dictionary<string, long>();
                foreach (var line in lines)
                {
                    var match = EntityLabel().Match(line);
                    if (match.Success && entities.Contains(match.Groups[1].Value))
                    {
                        depths[match.Groups[1].Value] = long.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
                    }
                }

                exported.Add(depths);
            }

            var complete = exported.Sum(e => e.Count) >= entities.Count &&
                exported.SelectMany(e => e).All(kv => kv.Value == int.Parse(kv.Key[^2..], CultureInfo.InvariantCulture));
            if (complete || timer.Elapsed > deadline)
            {
                return exported;
            }

            await Task.Delay(250, ct);
        }
    }

    private static async Task<JsonDocument> GetJsonAsync(HttpClient http, string path, CancellationToken ct)
    {
        using var response = await http.GetAsync(path, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body);
    }

    private static async Task AssertProblemAsync(HttpClient http, string path, HttpStatusCode status, string reason, CancellationToken ct)
    {
        using var response = await http.GetAsync(path, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.StatusCode == status, $"GET {path}: expected {(int)status}, got {(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal(reason, problem.RootElement.GetProperty("reason").GetString());
    }
}
