using System.Globalization;
using Loire.ProcessTests.Infrastructure;
using Xunit.Abstractions;

namespace Loire.ProcessTests;

/// <summary>
/// The autoscale controller (loadtests/Loire.Autoscale) against a real Redis with small numbers: a backlog must make
/// it add silos up to its maximum, the drained backlog must make it remove them again by SIGTERM, each leaving
/// cleanly, and every acknowledged message must arrive.
/// </summary>
[Collection(SiloProcessCollection.Name)]
public sealed class AutoscaleControllerTests(ITestOutputHelper log)
{
    private const string SummaryPrefix = "autoscale summary: ";

    [Fact]
    public async Task TheControllerScalesOutOnABacklogAndBackInOnceItIsGoneLosingNothing()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var redis = await RedisServer.StartAsync(log, timeout.Token);
        var workDirectory = Directory.CreateTempSubdirectory("loire-autoscale-test-").FullName;
        try
        {
            // 3000 messages over a target of 500 per silo recommend 6 silos, capped at 3; consumers drain at 150/s.
            var run = await DotnetTool.RunAsync("LoireAutoscaleDll", "LOIRE_TEST_AUTOSCALE_DLL", "autoscale controller",
            [
                "--redis", redis.Configuration, "--min", "1", "--max", "3", "--target-per-silo", "500",
                "--messages", "3000", "--consume-rate", "150", "--scale-in-stabilization-secs", "5", "--scale-in-period-secs", "5",
                "--timeout-secs", "100", "--work-dir", workDirectory,
            ], TimeSpan.FromSeconds(120));
            log.WriteLine(run.Output);

            var summary = Summary(run);
            Assert.Equal(0, run.ExitCode);
            Assert.Equal("PASS", summary["result"]);
            Assert.Equal("3", summary["peak_silos"]);
            Assert.True(int.Parse(summary["scale_outs"], CultureInfo.InvariantCulture) >= 1, "No scale-out.");
            Assert.Equal("2", summary["scale_ins"]);
            Assert.Equal("0,0", summary["scale_in_exit_codes"]);
            Assert.True(double.Parse(summary["first_scale_out_s"], CultureInfo.InvariantCulture) < double.Parse(summary["last_scale_in_s"], CultureInfo.InvariantCulture), "Scale-in came before scale-out.");
            Assert.Equal("0", summary["lost"]);
            Assert.True(int.Parse(summary["acknowledged"], CultureInfo.InvariantCulture) >= 3000, $"Only {summary["acknowledged"]} messages acknowledged.");
        }
        finally
        {
            Directory.Delete(workDirectory, recursive: true);
        }
    }

    private static Dictionary<string, string> Summary(ToolRun run)
    {
        var line = run.StandardOutput.LastOrDefault(l => l.StartsWith(SummaryPrefix, StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"The controller printed no summary line.{Environment.NewLine}{run.Output}");
        return line[SummaryPrefix.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(token => token.Split('=', 2))
            .ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : "");
    }
}
