using System.Diagnostics;
using Loire.Client;
using Loire.ProcessTests.Infrastructure;

namespace Loire.ProcessTests;

/// <summary>A silo stopped with SIGTERM while producers and consumers run: it drains and exits, and no client notices
/// more than a short pause.</summary>
public sealed partial class ClusterTests
{
    /// <summary>The silo's own limit after SIGTERM (LoireSiloHost.ShutdownTimeout).</summary>
    private static readonly TimeSpan s_siloShutdownTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Consumers long-poll as a processor does (it asks for up to 20 s per call), so the stopping silo has receives
    /// parked in its queues: they must not hold up its shutdown, nor the sends queued behind it.
    /// </summary>
    private static readonly TimeSpan s_longPoll = TimeSpan.FromSeconds(15);

    /// <summary>Producers pause between sends, so the consumers keep up and wait parked most of the time.</summary>
    private static readonly TimeSpan s_sendPause = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest a single call may hang, beyond the wait it asked for, while a silo leaves gracefully.</summary>
    private static readonly TimeSpan s_longestCallAllowed = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task GracefulShutdownOfOneSiloOfThreeUnderLoadStrandsNoCallAndLosesNothing()
    {
        const int queueCount = 6;
        using var timeout = new CancellationTokenSource(s_testTimeout);
        var ct = timeout.Token;
        await using var redis = await RedisServer.StartAsync(log, ct);
        SiloProcess[] silos =
        [
            await StartClusterSiloAsync(redis, ct), await StartClusterSiloAsync(redis, ct), await StartClusterSiloAsync(redis, ct),
        ];
        try
        {
            await using var client = new LoireClient(ClientOptions(silos));
            var queues = await CreateTrafficQueuesAsync(client, "drain", queueCount, ct);
            var clock = Stopwatch.StartNew();
            var traffic = queues.Select((q, i) => new QueueTraffic(client, q, clock, s_longPoll, s_sendPause, pushed: i % 2 == 1)).ToList();
            await using var running = TrafficRun.Start(traffic, ct);
            Assert.True(await WaitUntilAsync(() => traffic.All(t => t.AcknowledgedCount >= 50 && t.ReceivedCount > 0), TimeSpan.FromSeconds(60), ct),
                "The load did not get going within 60 s.");

            // Stop the silo hosting most queues while every producer and consumer is busy.
            var placement = await WaitForPlacementAsync(silos, queues, TimeSpan.FromSeconds(30), ct);
            var victimIndex = Enumerable.Range(0, silos.Length).MaxBy(i => placement[i].Count);
            var onVictim = placement[victimIndex];
            Assert.NotEmpty(onVictim);
            log.WriteLine($"placement: {string.Join(" | ", placement.Select(p => string.Join(",", p.Order())))}; SIGTERM to silo {victimIndex}");
            var stoppedAt = clock.Elapsed;
            var exitCode = await silos[victimIndex].StopAsync(s_siloShutdownTimeout);
            var exitedAt = clock.Elapsed;

            // Every queue must take sends again after the exit, then a little more load to see the cluster settled.
            Assert.True(await WaitUntilAsync(() => traffic.All(t => t.FirstSendAfter(exitedAt) is not null), TimeSpan.FromSeconds(30), ct),
                "Some queue took no send within 30 s of the silo's exit.");
            await Task.Delay(TimeSpan.FromSeconds(2), ct); // load after the recovery, not a synchronisation
            var windowEnd = clock.Elapsed;
            await running.StopProducersAsync();
            await WaitUntilAsync(() => traffic.All(t => t.Missing().Count == 0), s_drainDeadline, ct);
            await running.StopConsumersAsync();

            var longest = traffic.Select(t => t.LongestCallDuring(stoppedAt, windowEnd)).OfType<TrafficCall>().MaxBy(c => c.Stranded);
            var longestGap = traffic.Max(t => t.LongestSendGapSince(stoppedAt));
            Report(traffic, $"SIGTERM at {stoppedAt.TotalSeconds:0.00} s to 1 silo of 3 hosting {onVictim.Count} of {queueCount} queues: "
                + $"exit code {exitCode} after {(exitedAt - stoppedAt).TotalSeconds:0.00} s; longest call in the window [{longest}]; "
                + $"longest wait between two acknowledged sends {longestGap.TotalSeconds:0.00} s; "
                + $"{traffic.Sum(t => t.Duplicates())} duplicates, {traffic.Sum(t => t.Failures.Count)} failed calls");
            Assert.Equal(0, exitCode);
            AssertNothingLost(traffic);
            // Locks live in the activation: a batch locked before the move and completed after it is answered
            // MessageLockLost by the new activation and comes back, counted as duplicates, never lost.
            AssertOnlyTransientFailures(traffic, allowLockLost: true);
            Assert.NotNull(longest);
            Assert.True(longest.Stranded < s_longestCallAllowed, $"A call hung for {longest.Stranded.TotalSeconds:0.00} s beyond its wait: {longest}.");
            Assert.True(longestGap < s_longestCallAllowed, $"A queue took no send for {longestGap.TotalSeconds:0.00} s.");
            var survivors = silos.Where((_, i) => i != victimIndex).ToList();
            var moved = await WaitForPlacementAsync(survivors, onVictim, TimeSpan.FromSeconds(30), ct);
            Assert.True(moved.Sum(p => p.Count) == onVictim.Count, "The stopped silo's queues are not active on the survivors.");
        }
        finally
        {
            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }
        }
    }
}
