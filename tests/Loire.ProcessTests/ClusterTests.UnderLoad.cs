using System.Diagnostics;
using Loire.Client;
using Loire.Client.Administration;
using Loire.ProcessTests.Infrastructure;

namespace Loire.ProcessTests;

/// <summary>Faults while producers and consumers run: a silo killed, Redis stopped. Nothing acknowledged may be lost.</summary>
public sealed partial class ClusterTests
{
    private static readonly TimeSpan s_drainDeadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task KillingOneSiloOfThreeUnderLoadLosesNoAcknowledgedMessage()
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
            // One client that knows every gateway, with the default timeout (30 s) and retry budget: it must ride through
            // the kill alone, and calls stranded on the dead gateway must not wait for their timeout.
            await using var client = new LoireClient(ClientOptions(silos));
            var queues = await CreateTrafficQueuesAsync(client, "load", queueCount, ct);
            var clock = Stopwatch.StartNew();
            var traffic = queues.Select((q, i) => new QueueTraffic(client, q, clock, pushed: i % 2 == 1)).ToList();
            await using var running = TrafficRun.Start(traffic, ct);
            Assert.True(await WaitUntilAsync(() => traffic.All(t => t.AcknowledgedCount >= 100 && t.ReceivedCount > 0), TimeSpan.FromSeconds(60), ct),
                "The load did not get going within 60 s.");

            // Kill the silo hosting most processor-consumed queues (then most queues) while every producer and consumer
            // is busy, so push delivery links lose their entity as well as long polls.
            var placement = await WaitForPlacementAsync(silos, queues, TimeSpan.FromSeconds(30), ct);
            var pushedQueues = traffic.Where(t => t.Pushed).Select(t => t.Queue).ToHashSet();
            var victimIndex = Enumerable.Range(0, silos.Length).MaxBy(i => placement[i].Count(pushedQueues.Contains) * 100 + placement[i].Count);
            var onVictim = placement[victimIndex];
            Assert.NotEmpty(onVictim);
            log.WriteLine($"placement: {string.Join(" | ", placement.Select(p => string.Join(",", p.Order())))}; killing silo {victimIndex}");
            var killedAt = clock.Elapsed;
            await silos[victimIndex].KillAsync();

            // Every queue must take sends again, those of the dead silo after re-activating elsewhere; then a little more load.
            Assert.True(await WaitUntilAsync(() => traffic.All(t => t.FirstSendAfter(killedAt) is not null), TimeSpan.FromSeconds(60), ct),
                "Some queue took no send within 60 s of the kill.");
            await Task.Delay(TimeSpan.FromSeconds(2), ct); // load after the recovery, not a synchronisation
            await running.StopProducersAsync();
            await WaitUntilAsync(() => traffic.All(t => t.Missing().Count == 0), s_drainDeadline, ct);
            await running.StopConsumersAsync();

            // The kill falls between two acknowledged sends of each queue it hit: that wait is how long the queue was out.
            var victims = traffic.Where(t => onVictim.Contains(t.Queue)).ToList();
            var recovery = victims.Max(t => t.LongestSendGapSince(killedAt));
            var firstSend = victims.Max(t => t.FirstSendAfter(killedAt)!.Value);
            var others = traffic.Except(victims).Select(t => t.LongestSendGapSince(killedAt)).DefaultIfEmpty().Max();
            Report(traffic, $"kill -9 at {killedAt.TotalSeconds:0.00} s of 1 silo of 3 hosting {onVictim.Count} of {queueCount} queues: its queues acknowledged "
                + $"a send started after the kill within {firstSend.TotalSeconds:0.00} s; longest wait between two acknowledged sends "
                + $"{recovery.TotalSeconds:0.00} s on its queues, {others.TotalSeconds:0.00} s on the others");
            AssertNothingLost(traffic);
            // Completing a batch whose locks the dead silo held is answered MessageLockLost by the new activation:
            // the honest answer (the batch comes back as duplicates), so it is the one non-transient failure allowed.
            AssertOnlyTransientFailures(traffic, allowLockLost: true);
            var survivors = silos.Where((_, i) => i != victimIndex).ToList();
            var moved = await WaitForPlacementAsync(survivors, onVictim, TimeSpan.FromSeconds(30), ct);
            Assert.True(moved.Sum(p => p.Count) == onVictim.Count, "The dead silo's queues are not active on the survivors.");
            Assert.True(recovery < TimeSpan.FromSeconds(10), $"A queue of the dead silo took no send for {recovery.TotalSeconds:0.00} s.");
            Assert.True(others < TimeSpan.FromSeconds(10), $"A queue of a surviving silo took no send for {others.TotalSeconds:0.00} s.");
            Assert.All(survivors, silo => Assert.True(silo.IsRunning));
        }
        finally
        {
            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task RedisOutageUnderLoadFailsSendsFastAndLosesNothing()
    {
        const int queueCount = 4;
        var outage = TimeSpan.FromSeconds(3);
        using var timeout = new CancellationTokenSource(s_testTimeout);
        var ct = timeout.Token;
        await using var redis = await RedisServer.StartAsync(log, ct);
        SiloProcess[] silos = [await StartClusterSiloAsync(redis, ct), await StartClusterSiloAsync(redis, ct)];
        try
        {
            // No client retries, so each failed send shows how fast the broker refuses while its store is away.
            var options = ClientOptions(silos);
            options.Retry.MaxRetries = 0;
            await using var client = new LoireClient(options);
            var queues = await CreateTrafficQueuesAsync(client, "outage", queueCount, ct);
            var clock = Stopwatch.StartNew();
            var traffic = queues.Select(q => new QueueTraffic(client, q, clock)).ToList();
            await using var running = TrafficRun.Start(traffic, ct);
            Assert.True(await WaitUntilAsync(() => traffic.All(t => t.AcknowledgedCount >= 100 && t.ReceivedCount > 0), TimeSpan.FromSeconds(60), ct),
                "The load did not get going within 60 s.");

            await redis.KillAsync();
            await Task.Delay(outage, ct); // the outage itself, not a synchronisation
            await redis.RestartAsync(ct);
            var restartedAt = clock.Elapsed;

            // The silos were not restarted: their stores must reconnect by themselves.
            Assert.True(await WaitUntilAsync(() => traffic.All(t => t.FirstSendAfter(restartedAt) is not null), TimeSpan.FromSeconds(60), ct),
                "Some queue took no send within 60 s of Redis coming back.");
            var recovery = traffic.Max(t => t.FirstSendAfter(restartedAt)!.Value);
            await running.StopProducersAsync();
            await WaitUntilAsync(() => traffic.All(t => t.Missing().Count == 0), s_drainDeadline, ct);
            await running.StopConsumersAsync();

            var sendFailures = traffic.SelectMany(t => t.Failures).Where(f => f.Operation == "send").ToList();
            var slowest = sendFailures.Count == 0 ? TimeSpan.Zero : sendFailures.Max(f => f.Duration);
            Report(traffic, $"Redis down {outage.TotalSeconds:0} s (kill -9, restart from its AOF): {sendFailures.Count} sends refused, "
                + $"slowest refusal {slowest.TotalMilliseconds:0} ms; every queue took sends again {recovery.TotalSeconds:0.00} s after Redis was back");
            AssertNothingLost(traffic);
            AssertOnlyTransientFailures(traffic);
            Assert.Contains(sendFailures, f => f.Exception is LoireException { Reason: LoireErrorReason.StoreUnavailable });
            Assert.True(slowest < TimeSpan.FromSeconds(11), $"A send took {slowest.TotalSeconds:0.0} s to fail while Redis was down.");
            Assert.True(recovery < TimeSpan.FromSeconds(20), $"Sends resumed only {recovery.TotalSeconds:0.00} s after Redis came back.");
            Assert.All(silos, silo => Assert.True(silo.IsRunning));
        }
        finally
        {
            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }
        }
    }

    /// <summary>Queues with duplicate detection (so a retried send is stored once) and short locks (so a batch whose
    /// completion failed comes back soon).</summary>
    private static async Task<List<string>> CreateTrafficQueuesAsync(LoireClient client, string prefix, int count, CancellationToken ct)
    {
        var admin = client.CreateAdministrationClient();
        var names = Enumerable.Range(0, count).Select(i => $"{prefix}-{i}").ToList();
        foreach (var name in names)
        {
            await admin.CreateQueueAsync(new CreateQueueOptions(name)
            {
                RequiresDuplicateDetection = true,
                LockDuration = TimeSpan.FromSeconds(5),
            }, ct);
        }

        return names;
    }

    private void Report(IEnumerable<QueueTraffic> traffic, string headline)
    {
        log.WriteLine(headline);
        foreach (var queue in traffic)
        {
            log.WriteLine($"{queue.Queue}: {queue.AcknowledgedCount} acknowledged, longest gap {queue.LongestSendGapSince(TimeSpan.Zero).TotalSeconds:0.00} s, {queue.ReceivedCount} received, "
                + $"{queue.Missing().Count} lost, {queue.Duplicates()} duplicates, {queue.Failures.Count} failed calls");
            foreach (var failure in queue.Failures.Take(5))
            {
                log.WriteLine($"  {failure}");
            }
        }
    }

    private static void AssertNothingLost(IEnumerable<QueueTraffic> traffic)
    {
        foreach (var queue in traffic)
        {
            var missing = queue.Missing();
            Assert.True(missing.Count == 0, $"{queue.Queue} lost acknowledged messages: {IndexedMessages.Sample(missing)}.");
        }
    }

    private static void AssertOnlyTransientFailures(IEnumerable<QueueTraffic> traffic, bool allowLockLost = false)
    {
        var other = traffic.SelectMany(t => t.Failures)
            .Where(f => !f.IsTransientLoireError && !(allowLockLost && f.IsLockLostOnSettle))
            .ToList();
        Assert.True(other.Count == 0, "Failures that were not transient LoireExceptions: " + string.Join("; ", other));
    }

    /// <summary>Polls <paramref name="condition"/>; false when <paramref name="deadline"/> passed first.</summary>
    private static async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan deadline, CancellationToken ct)
    {
        var timer = Stopwatch.StartNew();
        while (!condition())
        {
            if (timer.Elapsed > deadline)
            {
                return false;
            }

            await Task.Delay(50, ct);
        }

        return true;
    }
}
