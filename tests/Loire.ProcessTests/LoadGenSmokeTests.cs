using System.Globalization;
using Loire.ProcessTests.Infrastructure;
using Xunit.Abstractions;

namespace Loire.ProcessTests;

/// <summary>The load generator's scenarios, with tiny counts, against one real silo: they run, parse and lose nothing.</summary>
[Collection(SiloProcessCollection.Name)]
public sealed class LoadGenSmokeTests(ITestOutputHelper log)
{
    private const int Messages = 200;

    [Fact]
    public async Task EveryScenarioDeliversEveryMessageAndPrintsParsableResults()
    {
        await using var silo = await SiloProcess.StartAsync(log);
        var run = await LoadGenProcess.RunAsync(
        [
            "--gateway", silo.Gateway, "--broker-pid", silo.ProcessId.ToString(CultureInfo.InvariantCulture),
            "--scenarios", "durable-1p1c,durable-4p4c,publish-only,fanout-10,latency@200",
            "--messages", $"{Messages}", "--fanout-messages", $"{Messages}", "--runs", "1", "--lat-secs", "1", "--lat-warmup-secs", "0.5",
            "--no-warmup", "--quiet", "--retries", "0", "--quiet-wait-secs", "0", "--timeout-secs", "30",
        ], TimeSpan.FromMinutes(4));
        log.WriteLine(run.Output);

        Assert.Equal(0, run.ExitCode);
        var results = run.Results.ToDictionary(r => r["scenario"]);
        Assert.Equal(["durable-1p1c", "durable-4p4c", "publish-only", "drain", "fanout-10", "latency@200"], run.Results.Select(r => r["scenario"]));
        foreach (var result in run.Results)
        {
            Assert.Equal("loire", result["broker"]);
            Assert.False(result.ContainsKey("error"), result.GetValueOrDefault("error"));
            Assert.True(Number(result, "rate") > 0, $"{result["scenario"]}: rate {result["rate"]}");
            Assert.True(Number(result, "broker_cpu_pct") >= 0);
            if (result["scenario"] != "publish-only")
            {
                Assert.Equal(0, Number(result, "lost"));
            }
        }

        Assert.Equal(Messages, Number(results["publish-only"], "queue_depth"));
        Assert.Equal(Messages * 10, Number(results["fanout-10"], "deliveries"));
        Assert.Equal(300, Number(results["latency@200"], "msgs"));
        Assert.True(Number(results["latency@200"], "lat_samples") >= 150);
        Assert.True(Number(results["latency@200"], "p99_ms") >= Number(results["latency@200"], "p50_ms"));
        Assert.True(Number(results["durable-4p4c"], "pub_rate") > 0);
        Assert.Contains(run.StandardOutput, line => line.StartsWith("| loire | drain | 1", StringComparison.Ordinal));
    }

    private static double Number(IReadOnlyDictionary<string, string> result, string key) =>
        double.Parse(result[key], CultureInfo.InvariantCulture);
}
