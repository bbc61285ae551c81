using System.Text.Json;
using Loire.ProcessTests.Infrastructure;
using Xunit.Abstractions;

namespace Loire.ProcessTests;

/// <summary>
/// The short variant of the total-queue harness (loadtests/Loire.TotalQueue): three silos on a durable Redis under
/// load from producers and consumers on queues and a topic's subscriptions, two rounds of kill -9 of a random silo
/// that hosts some of them and one of Redis, then a drain. No acknowledged message may be lost, and every round must
/// recover soon.
/// </summary>
[Collection(SiloProcessCollection.Name)]
public sealed class TotalQueueTests(ITestOutputHelper log)
{
    private const double MaxRecoverySeconds = 30;

    [Fact]
    public async Task KillRoundsOfSilosAndRedisUnderLoadLoseNoAcknowledgedMessage()
    {
        var redisServer = ExecutableSearch.Find("redis-server")
            ?? throw new InvalidOperationException("redis-server is not installed (not found on PATH); test.sh installs it.");
        var workDirectory = Directory.CreateTempSubdirectory("loire-total-queue-test-").FullName;
        var jsonPath = Path.Combine(workDirectory, "summary.json");
        try
        {
            var run = await DotnetTool.RunAsync("LoireTotalQueueDll", "LOIRE_TEST_TOTALQUEUE_DLL", "total-queue harness",
            [
                "--rounds", "2", "--redis-rounds", "1", "--round-secs", "2", "--queues", "2", "--subscriptions", "2",
                "--recovery-timeout-secs", "45", "--drain-secs", "45", "--redis-server", redisServer,
                "--work-dir", workDirectory, "--json", jsonPath,
            ], TimeSpan.FromSeconds(240));
            log.WriteLine(run.Output);

            Assert.True(run.ExitCode == 0, $"The harness exited with {run.ExitCode}.");
            using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(jsonPath));
            var root = summary.RootElement;
            Assert.Equal("PASS", root.GetProperty("result").GetString());
            Assert.Equal(0, root.GetProperty("lost").GetInt32());
            var rounds = root.GetProperty("rounds").EnumerateArray().ToList();
            Assert.Equal(["1", "2", "3", "drain"], rounds.Select(r => r.GetProperty("round").GetString()));
            var faults = rounds.Select(r => r.GetProperty("fault").GetString()!).ToList();
            Assert.Equal(["kill -9 redis"], faults.Where(f => f.Contains("redis")));
            // At least one kill took entities with it (the harness picks silos that host some), not only a gateway.
            Assert.Contains(faults, f => f.StartsWith("kill -9 silo", StringComparison.Ordinal) && !f.Contains("(0/") && !f.Contains("(-1/"));
            foreach (var round in rounds.SkipLast(1))
            {
                var name = round.GetProperty("round").GetString();
                Assert.Equal(0, round.GetProperty("lost").GetInt32());
                Assert.True(round.GetProperty("acknowledged").GetInt32() > 0, $"Round {name} acknowledged nothing.");
                var recovery = round.GetProperty("recovery_s").GetDouble();
                Assert.True(recovery < MaxRecoverySeconds, $"Round {name} took {recovery:0.00} s to recover.");
            }

            Assert.True(root.GetProperty("received").GetInt32() >= root.GetProperty("acknowledged").GetInt32(),
                "Fewer messages received than acknowledged.");
        }
        finally
        {
            Directory.Delete(workDirectory, recursive: true);
        }
    }
}
