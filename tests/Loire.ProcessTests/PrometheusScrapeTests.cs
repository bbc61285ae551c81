using Loire.Client;
using Loire.Client.Administration;
using Loire.ProcessTests.Infrastructure;
using Xunit.Abstractions;

namespace Loire.ProcessTests;

/// <summary>A real Prometheus server scrapes a silo process: the loire_* series arrive through its own scrape and query API.</summary>
[Collection(SiloProcessCollection.Name)]
public sealed class PrometheusScrapeTests(ITestOutputHelper log)
{
    private static readonly TimeSpan s_testTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task PrometheusScrapesTheDepthAndSendCountersOfAQueueTheTestFilled()
    {
        const string queue = "scraped";
        const int messages = 7;
        using var timeout = new CancellationTokenSource(s_testTimeout);
        var ct = timeout.Token;
        await using var silo = await SiloProcess.StartAsync(log, ["--depth-interval", "1"], ct);
        await using (var client = new LoireClient(silo.Gateway))
        {
            await client.CreateAdministrationClient().CreateQueueAsync(new CreateQueueOptions(queue), ct);
            await client.CreateSender(queue).SendMessagesAsync(Enumerable.Range(0, messages).Select(IndexedMessages.Create), ct);
        }

        await using var prometheus = await PrometheusServer.StartAsync([$"127.0.0.1:{silo.HttpPort}"], log, ct);
        log.WriteLine($"prometheus pid {prometheus.ProcessId} on port {prometheus.Port} scrapes the silo on port {silo.HttpPort}");

        var patience = TimeSpan.FromSeconds(60);
        Assert.Equal(1, await prometheus.WaitForValueAsync("up{job=\"loire\"}", v => v == 1, patience, ct));
        Assert.Equal(messages, await prometheus.WaitForValueAsync(
            $"loire_entity_active_messages{{job=\"loire\",entity=\"{queue}\"}}", v => v == messages, patience, ct));
        Assert.Equal(messages, await prometheus.WaitForValueAsync(
            $"sum(loire_messages_sent_total{{job=\"loire\",entity=\"{queue}\"}})", v => v == messages, patience, ct));

        // The target's labels are Prometheus' own: the series came through its scrape, not from the test's reading.
        var series = Assert.Single(await prometheus.QueryAsync($"loire_entity_active_messages{{entity=\"{queue}\"}}", ct));
        Assert.Equal($"127.0.0.1:{silo.HttpPort}", series.Labels["instance"]);
        Assert.Equal("loire", series.Labels["job"]);
    }
}
