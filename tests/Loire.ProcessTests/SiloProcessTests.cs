using System.Net;
using System.Text.Json;
using Loire.Client;
using Loire.Client.Administration;
using Loire.ProcessTests.Infrastructure;
using Xunit.Abstractions;

namespace Loire.ProcessTests;

/// <summary>The silo executable as operators run it: a real process, real ports, real signals.</summary>
[Collection(SiloProcessCollection.Name)]
public sealed class SiloProcessTests(ITestOutputHelper log)
{
    private static readonly TimeSpan s_testTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task KilledSiloKeepsEveryAcknowledgedMessage()
    {
        const string queue = "durable";
        const int total = 2000;
        const int completedBeforeKill = 300;
        using var timeout = new CancellationTokenSource(s_testTimeout);
        var ct = timeout.Token;
        await using var silo = await SiloProcess.StartAsync(log, ct);

        List<int> completed;
        await using (var client = new LoireClient(silo.Gateway))
        {
            await client.CreateAdministrationClient().CreateQueueAsync(new CreateQueueOptions(queue), ct);
            await SendMixedAsync(client.CreateSender(queue), total, ct);
            var receiver = client.CreateReceiver(queue);
            completed = await IndexedMessages.ReceiveAndCompleteAsync(receiver, completedBeforeKill, TimeSpan.FromSeconds(60), ct);
            Assert.Equal(completedBeforeKill, completed.Count);
        }

        await silo.KillAsync();
        await silo.RestartAsync(ct);

        // Before anything activates the queue, its depth in the catalog counts every acknowledged send not completed
        // (completions of the last second before the kill may still be counted: never fewer than what is there).
        var remainingCount = total - completedBeforeKill;
        using var http = new HttpClient { BaseAddress = silo.HttpAddress };
        Assert.InRange(await ScalerActiveMessagesAsync(http, queue, ct), remainingCount, total);

        await using var reconnected = new LoireClient(silo.Gateway);
        var drain = reconnected.CreateReceiver(queue);
        var received = await IndexedMessages.ReceiveAndCompleteAsync(drain, remainingCount, TimeSpan.FromSeconds(90), ct);
        received.AddRange(await IndexedMessages.ReceiveLeftoversAsync(drain, ct));

        var redelivered = received.Intersect(completed).ToList();
        Assert.True(redelivered.Count == 0, $"Completed (acknowledged) messages came back after the kill: {IndexedMessages.Sample(redelivered)}");
        var duplicates = received.GroupBy(i => i).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, $"Messages delivered twice after the restart: {IndexedMessages.Sample(duplicates)}");
        var expected = Enumerable.Range(0, total).Except(completed).ToHashSet();
        var lost = expected.Except(received).ToList();
        Assert.True(lost.Count == 0, $"Acknowledged messages lost by the kill: {IndexedMessages.Sample(lost)}");
        Assert.Equal(remainingCount, received.Count);

        // FIFO: the first 300 sends were awaited one by one, so they are the first 300 received.
        Assert.Equal(Enumerable.Range(0, completedBeforeKill), completed);

        var properties = await reconnected.CreateAdministrationClient().GetQueueRuntimePropertiesAsync(queue, ct);
        Assert.Equal(0L, properties.ActiveMessageCount);
        Assert.Equal(0L, properties.TotalMessageCount);

        // The drained queue's catalog depth follows within about a second of the last completion.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (await ScalerActiveMessagesAsync(http, queue, ct) != 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "The catalog depth of the drained queue did not reach 0.");
            await Task.Delay(100, ct);
        }
    }

    private static async Task<long> ScalerActiveMessagesAsync(HttpClient http, string entity, CancellationToken ct)
    {
        using var depth = JsonDocument.Parse(await http.GetStringAsync($"scaler/v1/depth?entity={entity}", ct));
        return depth.RootElement.GetProperty("activeMessages").GetInt64();
    }

    [Fact]
    public async Task HttpEndpointsServeHealthMetricsAndDashboard()
    {
        const string queue = "metrics-probe";
        using var timeout = new CancellationTokenSource(s_testTimeout);
        var ct = timeout.Token;
        await using var silo = await SiloProcess.StartAsync(log, ct);
        using var http = new HttpClient { BaseAddress = silo.HttpAddress };

        foreach (var path in new[] { "health", "health/live", "health/ready" })
        {
            using var health = await http.GetAsync(path, ct);
            var body = await health.Content.ReadAsStringAsync(ct);
            Assert.True(health.StatusCode == HttpStatusCode.OK, $"GET /{path}: {(int)health.StatusCode} {body}");
            using var json = JsonDocument.Parse(body);
            Assert.Equal("Healthy", json.RootElement.GetProperty("status").GetString());
        }

        await using (var client = new LoireClient(silo.Gateway))
        {
            await client.CreateAdministrationClient().CreateQueueAsync(new CreateQueueOptions(queue), ct);
            var sender = client.CreateSender(queue);
            for (var i = 0; i < 3; i++)
            {
                await sender.SendMessageAsync(IndexedMessages.Create(i), ct);
            }

            var metrics = await WaitForMetricLineAsync(http, queue, TimeSpan.FromSeconds(20), ct);
            Assert.True(metrics.Line is not null, $"No loire_ metric line names '{queue}' in /metrics:{Environment.NewLine}{metrics.Text}");
        }

        using var dashboard = await http.GetAsync("dashboard", ct);
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Equal("text/html", dashboard.Content.Headers.ContentType?.MediaType);

        // The root leads to the web console, a page of the silo's own that loads only its own files.
        using var root = await http.GetAsync("", ct);
        Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        Assert.Equal("/console/", root.RequestMessage?.RequestUri?.AbsolutePath);
        Assert.Equal("text/html", root.Content.Headers.ContentType?.MediaType);
        Assert.Contains("script-src 'self'", root.Headers.GetValues("Content-Security-Policy").Single());
        using var script = await http.GetAsync("console/console.js", ct);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        using var missing = await http.GetAsync("console/missing.js", ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task SigtermShutsDownGracefully()
    {
        const string queue = "graceful";
        const int total = 100;
        using var timeout = new CancellationTokenSource(s_testTimeout);
        var ct = timeout.Token;
        await using var silo = await SiloProcess.StartAsync(log, ct);

        await using (var client = new LoireClient(silo.Gateway))
        {
            await client.CreateAdministrationClient().CreateQueueAsync(new CreateQueueOptions(queue), ct);
            await SendMixedAsync(client.CreateSender(queue), total, ct);

            // The client stays connected: a silo must stop gracefully under its clients' feet.
            var exitCode = await silo.StopAsync(TimeSpan.FromSeconds(30));
            Assert.True(exitCode == 0, $"Exit code {exitCode} after SIGTERM.{Environment.NewLine}{silo.Output}");
        }

        await silo.RestartAsync(ct);
        await using var reconnected = new LoireClient(silo.Gateway);
        var receiver = reconnected.CreateReceiver(queue);
        var received = await IndexedMessages.ReceiveAndCompleteAsync(receiver, total, TimeSpan.FromSeconds(30), ct);
        received.AddRange(await IndexedMessages.ReceiveLeftoversAsync(receiver, ct));
        Assert.Equal(Enumerable.Range(0, total), received.Order());
    }

    [Fact]
    public async Task BadFlagExitsWithClearError()
    {
        var badPort = await SiloProcess.RunToExitAsync(["--silo-port", "abc"], TimeSpan.FromSeconds(30));
        Assert.True(badPort.ExitCode == 2, $"Exit code {badPort.ExitCode} for --silo-port abc:{Environment.NewLine}{badPort.Output}");
        Assert.Contains("--silo-port", badPort.Output);
        Assert.Contains("'abc'", badPort.Output);

        var redis = await SiloProcess.RunToExitAsync(["--cluster", "redis"], TimeSpan.FromSeconds(30));
        Assert.True(redis.ExitCode == 2, $"Exit code {redis.ExitCode} for --cluster redis:{Environment.NewLine}{redis.Output}");
        Assert.Contains("--redis (LOIRE_Redis) is required with --cluster redis", redis.Output);
    }

    /// <summary>
    /// Sends <paramref name="total"/> indexed messages: the first 30 % one at a time in order, the next 35 % as
    /// concurrent single sends, the rest as concurrent batches. Every awaited send is an acknowledgement.
    /// </summary>
    private static async Task SendMixedAsync(LoireSender sender, int total, CancellationToken ct)
    {
        var inOrderEnd = total * 3 / 10;
        var singlesEnd = total * 65 / 100;
        for (var i = 0; i < inOrderEnd; i++)
        {
            await sender.SendMessageAsync(IndexedMessages.Create(i), ct);
        }

        const int workers = 4;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async worker =>
        {
            for (var i = inOrderEnd + worker; i < singlesEnd; i += workers)
            {
                await sender.SendMessageAsync(IndexedMessages.Create(i), ct);
            }
        }));

        var batches = Enumerable.Range(singlesEnd, total - singlesEnd).Chunk(100);
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = ct },
            async (batch, token) => await sender.SendMessagesAsync(batch.Select(IndexedMessages.Create).ToList(), token));
    }

    private static async Task<(string? Line, string Text)> WaitForMetricLineAsync(
        HttpClient http, string entity, TimeSpan deadline, CancellationToken ct)
    {
        var timer = System.Diagnostics.Stopwatch.StartNew();
        var text = string.Empty;
        while (timer.Elapsed < deadline)
        {
            text = await http.GetStringAsync("metrics", ct);
            var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("loire_", StringComparison.Ordinal) && l.Contains(entity, StringComparison.Ordinal));
            if (line is not null)
            {
                return (line, text);
            }

            // The exporter caches a scrape briefly; ask again shortly.
            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
        }

        return (null, text);
    }
}
