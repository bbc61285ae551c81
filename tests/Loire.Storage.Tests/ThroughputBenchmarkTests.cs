using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace Loire.Storage.Tests;

/// <summary>
/// A quick throughput check that runs with the other tests on small counts. For real numbers run
/// <c>LOIRE_STORE_BENCH_SECONDS=3 dotnet test --filter Category=Benchmark --logger "console;verbosity=detailed"</c>.
/// </summary>
[Trait("Category", "Benchmark")]
public sealed class ThroughputBenchmarkTests(ITestOutputHelper output)
{
    private const int Committers = 64;

    [Theory]
    [InlineData(SqliteDurability.Full, false)]
    [InlineData(SqliteDurability.Normal, false)]
    [InlineData(SqliteDurability.Full, true)]
    [InlineData(SqliteDurability.Normal, true)]
    public async Task ConcurrentCommitters_ShareCommits(SqliteDurability durability, bool fenced)
    {
        await using var test = TestStore.Open(o => o.Durability = durability);
        // Fenced: every batch requires its entity's epoch, as a queue grain's writes do.
        var epochs = new long[Committers];
        for (var c = 0; fenced && c < Committers; c++)
        {
            await test.Store.TryCreateEntityAsync(new EntityRecord($"bench/q{c}", 1, new byte[16]));
            epochs[c] = (await test.Store.AcquireEpochAsync($"bench/q{c}"))!.Value;
        }

        var before = test.Store.GetStatistics();
        var duration = BenchmarkDuration();
        var payload = new byte[1024];
        Random.Shared.NextBytes(payload);
        var state = new byte[16];
        var latencies = new List<double>[Committers];
        var stop = Stopwatch.StartNew();

        var committers = Enumerable.Range(0, Committers).Select(c => Task.Run(async () =>
        {
            var entity = $"bench/q{c}";
            var sequence = 0L;
            var own = latencies[c] = [];
            while (stop.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                var batch = new StoreBatch().PutMessage(entity, sequence++, payload, state);
                await test.Store.CommitAsync(fenced ? batch.RequireEpoch(entity, epochs[c]) : batch);
                own.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            return sequence;
        })).ToArray();
        var operations = (await Task.WhenAll(committers)).Sum();
        var elapsed = stop.Elapsed.TotalSeconds;
        var after = test.Store.GetStatistics();
        var statistics = after with { Commits = after.Commits - before.Commits, CommittedBatches = after.CommittedBatches - before.CommittedBatches };
        var sorted = latencies.SelectMany(l => l).Order().ToArray();

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{durability}{(fenced ? " fenced" : "")}: {Committers} committers x 1 KiB for {elapsed:F2} s: {operations / elapsed:F0} ops/s, {statistics.Commits / elapsed:F0} commits/s, {operations / (double)statistics.Commits:F1} batches per commit; commit wait p50 {Percentile(sorted, 0.50):F1} ms, p99 {Percentile(sorted, 0.99):F1} ms, max {sorted[^1]:F1} ms"));
        Assert.Equal(operations, statistics.CommittedBatches);
        Assert.True(statistics.Commits < statistics.CommittedBatches, $"{statistics.Commits} commits for {statistics.CommittedBatches} batches");
    }

    [Theory]
    [InlineData(SqliteDurability.Full)]
    [InlineData(SqliteDurability.Normal)]
    public async Task SingleCommitter_Latency(SqliteDurability durability)
    {
        await using var test = TestStore.Open(o => o.Durability = durability);
        var payload = new byte[1024];
        var duration = BenchmarkDuration();
        var commits = 0;
        var stop = Stopwatch.StartNew();
        while (stop.Elapsed < duration)
        {
            await test.Store.CommitAsync(new StoreBatch().PutMessage("q", commits++, payload, payload.AsMemory(0, 16)));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{durability}: one committer: {commits / stop.Elapsed.TotalSeconds:F0} commits/s, {stop.Elapsed.TotalMilliseconds * 1000 / commits:F0} us per commit"));
        Assert.Equal(commits, test.Store.GetStatistics().Commits);
    }

    [Fact]
    public void RawFsync_Cost()
    {
        var path = Path.Combine(Path.GetTempPath(), $"loire-fsync-{Guid.NewGuid():N}");
        try
        {
            using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None);
            var page = new byte[4096];
            var duration = BenchmarkDuration();
            var syncs = 0;
            var stop = Stopwatch.StartNew();
            while (stop.Elapsed < duration)
            {
                file.Write(page);
                file.Flush(flushToDisk: true);
                syncs++;
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"4 KiB append + fsync: {stop.Elapsed.TotalMilliseconds * 1000 / syncs:F0} us each ({syncs} in {stop.Elapsed.TotalSeconds:F2} s)"));
            Assert.True(syncs > 0);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static double Percentile(double[] sorted, double quantile) =>
        sorted[Math.Min(sorted.Length - 1, (int)(quantile * sorted.Length))];

    private static TimeSpan BenchmarkDuration() =>
        double.TryParse(Environment.GetEnvironmentVariable("LOIRE_STORE_BENCH_SECONDS"), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.FromMilliseconds(300);
}
