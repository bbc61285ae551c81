using System.Diagnostics;
using System.Text.RegularExpressions;
using Loire.Client;
using Loire.Client.Administration;
using Loire.ProcessTests.Infrastructure;
using Xunit.Abstractions;

namespace Loire.ProcessTests;

/// <summary>Two silo processes forming one cluster through a real Redis (<c>--cluster redis</c>).</summary>
[Collection(SiloProcessCollection.Name)]
public sealed partial class ClusterTests(ITestOutputHelper log)
{
    // Reported, for each entity, by the silo its grain is active on: where an entity is placed.
    private const string HostedEntityMetric = "loire_entity_locked_messages";

    private const string ClusterId = "loire-test";

    private static readonly TimeSpan s_testTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task EntitiesSpreadOverBothSilos()
    {
        const int queues = 20;
        using var timeout = new CancellationTokenSource(s_testTimeout);
        var ct = timeout.Token;
        await using var redis = await RedisServer.StartAsync(log, ct);
        await using var first = await StartClusterSiloAsync(redis, ct);
        await using var second = await StartClusterSiloAsync(redis, ct);

        var names = Enumerable.Range(0, queues).Select(i => $"spread-{i}").ToList();
        await using (var client = new LoireClient(ClientOptions(first, second)))
        {
            var admin = client.CreateAdministrationClient();
            foreach (var name in names)
            {
                await admin.CreateQueueAsync(new CreateQueueOptions(name), ct);
                await client.CreateSender(name).SendMessageAsync(IndexedMessages.Create(0), ct);
                var receiver = client.CreateReceiver(name);
                var received = await IndexedMessages.ReceiveAndCompleteAsync(receiver, 1, TimeSpan.FromSeconds(20), ct);
                Assert.True(received.SequenceEqual([0]), $"Queue {name} gave {IndexedMessages.Sample(received)}.");
            }
        }

        // An entity's depth gauges are exported by the silo its grain is active on, so /metrics shows the placement.
        var placement = await WaitForPlacementAsync([first, second], names, TimeSpan.FromSeconds(30), ct);
        log.WriteLine($"first silo hosts {placement[0].Count}, second hosts {placement[1].Count} of {queues} queues");
        Assert.True(placement[0].Count > 0 && placement[1].Count > 0,
            $"Queues did not spread: first silo {placement[0].Count}, second {placement[1].Count} of {queues}.");
        Assert.Empty(placement[0].Intersect(placement[1]));
        Assert.Equal(queues, placement[0].Count + placement[1].Count);
    }

    [Fact]
    public async Task EveryAcknowledgedMessageSurvivesKillOfItsSilo()
    {
        const string queue = "failover";
        const int total = 200;
        using var timeout = new CancellationTokenSource(s_testTimeout);
        var ct = timeout.Token;
        await using var redis = await RedisServer.StartAsync(log, ct);
        SiloProcess[] silos = [await StartClusterSiloAsync(redis, ct), await StartClusterSiloAsync(redis, ct)];
        try
        {
            await using (var client = new LoireClient(ClientOptions(silos)))
            {
                await client.CreateAdministrationClient().CreateQueueAsync(new CreateQueueOptions(queue), ct);
                var sender = client.CreateSender(queue);
                // Every awaited send is an acknowledgement: the store has the messages.
                for (var i = 0; i < total; i += 20)
                {
                    await sender.SendMessagesAsync(Enumerable.Range(i, 20).Select(IndexedMessages.Create), ct);
                }
            }

            // Kill the silo the queue is active on, so the grain must re-activate elsewhere from the shared store.
            var placement = await WaitForPlacementAsync(silos, [queue], TimeSpan.FromSeconds(30), ct);
            var victim = placement[0].Count == 1 ? silos[0] : silos[1];
            var survivor = victim == silos[0] ? silos[1] : silos[0];
            await victim.KillAsync();
            var sinceKill = Stopwatch.StartNew();

            // A fresh client on the surviving gateway only: this measures the cluster's failover, not the client's.
            var options = ClientOptions(survivor);
            options.OperationTimeout = TimeSpan.FromSeconds(5);
            await using var reconnected = new LoireClient(options);
            var receiver = reconnected.CreateReceiver(queue);
            var received = new List<int>(total);
            TimeSpan? firstReceive = null;
            var failures = 0;
            while (received.Count < total && sinceKill.Elapsed < TimeSpan.FromSeconds(90))
            {
                try
                {
                    var batch = await receiver.ReceiveMessagesAsync(100, TimeSpan.FromSeconds(1), ct);
                    if (batch.Count > 0)
                    {
                        firstReceive ??= sinceKill.Elapsed;
                    }

                    await Task.WhenAll(batch.Select(m => receiver.CompleteMessageAsync(m, ct)));
                    received.AddRange(batch.Select(IndexedMessages.IndexOf));
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    // Until membership declares the silo dead, calls to the grain it hosted fail or time out.
                    if (failures++ < 5)
                    {
                        log.WriteLine($"{sinceKill.Elapsed.TotalSeconds:0.00} s: {e.GetType().Name}: {e.Message}");
                    }

                    await Task.Delay(100, ct);
                }
            }

            log.WriteLine($"first successful receive {firstReceive?.TotalSeconds:0.00} s after the kill; "
                + $"all {received.Count} after {sinceKill.Elapsed.TotalSeconds:0.00} s; {failures} transient failures before");
            Assert.True(firstReceive is not null, $"Nothing received within 90 s of the kill ({failures} transient failures).");
            var missing = Enumerable.Range(0, total).Except(received).ToList();
            Assert.True(missing.Count == 0, $"Acknowledged messages lost after the kill: {IndexedMessages.Sample(missing)}.");
            Assert.Equal(total, received.Distinct().Count());
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
    public async Task OneClientWithBothGatewaysFailsOverWhenTheQueuesSiloIsKilled()
    {
        const string queue = "client-failover";
        const int total = 100;
        using var timeout = new CancellationTokenSource(s_testTimeout);
        var ct = timeout.Token;
        await using var redis = await RedisServer.StartAsync(log, ct);
        SiloProcess[] silos = [await StartClusterSiloAsync(redis, ct), await StartClusterSiloAsync(redis, ct)];
        try
        {
            // One client, both gateways in one list; it must fail over by itself: no new client after the kill.
            var options = new LoireClientOptions { ClusterId = ClusterId, OperationTimeout = TimeSpan.FromSeconds(5) };
            options.Gateways.Add($"{silos[0].Gateway};{silos[1].Gateway}");
            await using var client = new LoireClient(options);
            await client.CreateAdministrationClient().CreateQueueAsync(new CreateQueueOptions(queue), ct);
            var sender = client.CreateSender(queue);
            for (var i = 0; i < total; i += 20)
            {
                await sender.SendMessagesAsync(Enumerable.Range(i, 20).Select(IndexedMessages.Create), ct);
            }

            // Kill the silo the queue is active on: its grain must re-activate on the other silo.
            var placement = await WaitForPlacementAsync(silos, [queue], TimeSpan.FromSeconds(30), ct);
            Assert.Equal(1, placement[0].Count + placement[1].Count);
            var victim = placement[0].Count == 1 ? silos[0] : silos[1];
            log.WriteLine($"killing silo with gateway {victim.Gateway}, which hosts {queue}");
            await victim.KillAsync();
            var sinceKill = Stopwatch.StartNew();

            var receiver = client.CreateReceiver(queue);
            var received = new List<int>(total);
            TimeSpan? firstReceive = null;
            var transientFailures = 0;
            var otherFailures = new List<Exception>();
            while (received.Distinct().Count() < total && sinceKill.Elapsed < TimeSpan.FromSeconds(30))
            {
                try
                {
                    var batch = await receiver.ReceiveMessagesAsync(100, TimeSpan.FromSeconds(1), ct);
                    if (batch.Count > 0)
                    {
                        firstReceive ??= sinceKill.Elapsed;
                    }

                    foreach (var message in batch)
                    {
                        try
                        {
                            await receiver.CompleteMessageAsync(message, ct);
                        }
                        catch (LoireException e) when (e.IsTransient)
                        {
                            // Not completed: it comes back when its lock expires; count the failure and go on.
                            transientFailures++;
                            log.WriteLine($"{sinceKill.Elapsed.TotalSeconds:0.00} s: complete failed: {e.Reason}: {e.Message}");
                        }
                    }

                    received.AddRange(batch.Select(IndexedMessages.IndexOf));
                }
                catch (LoireException e) when (e.IsTransient && !ct.IsCancellationRequested)
                {
                    transientFailures++;
                    log.WriteLine($"{sinceKill.Elapsed.TotalSeconds:0.00} s: transient {e.Reason}: {e.Message}");
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    otherFailures.Add(e);
                    log.WriteLine($"{sinceKill.Elapsed.TotalSeconds:0.00} s: NOT a transient LoireException: {e}");
                    await Task.Delay(100, ct);
                }
            }

            var duplicates = received.Count - received.Distinct().Count();
            log.WriteLine($"first successful receive {firstReceive?.TotalSeconds:0.00} s after the kill; "
                + $"{received.Distinct().Count()} distinct of {total} after {sinceKill.Elapsed.TotalSeconds:0.00} s; "
                + $"{duplicates} duplicates; {transientFailures} transient failures; {otherFailures.Count} other failures");
            Assert.True(otherFailures.Count == 0,
                $"The client surfaced {otherFailures.Count} failures that were not transient LoireExceptions: "
                + string.Join("; ", otherFailures.Select(e => $"{e.GetType().Name}: {e.Message}")));
            Assert.True(firstReceive is not null, $"Nothing received within 30 s of the kill ({transientFailures} transient failures).");
            Assert.True(firstReceive < TimeSpan.FromSeconds(15), $"First receive only {firstReceive?.TotalSeconds:0.00} s after the kill.");
            var missing = Enumerable.Range(0, total).Except(received).ToList();
            Assert.True(missing.Count == 0, $"Messages not received within 30 s of the kill: {IndexedMessages.Sample(missing)}.");
        }
        finally
        {
            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }
        }
    }

    private Task<SiloProcess> StartClusterSiloAsync(RedisServer redis, CancellationToken ct, params string[] extraArgs) =>
        SiloProcess.StartAsync(log, ["--cluster", "redis", "--redis", redis.Configuration, "--cluster-id", ClusterId, .. extraArgs], ct);

    private static LoireClientOptions ClientOptions(params SiloProcess[] gateways)
    {
        var options = new LoireClientOptions { ClusterId = ClusterId };
        foreach (var silo in gateways)
        {
            options.Gateways.Add(silo.Gateway);
        }

        return options;
    }

    /// <summary>For each silo, which of <paramref name="entities"/> its /metrics reports, once every entity is found.</summary>
    private static async Task<List<HashSet<string>>> WaitForPlacementAsync(
        IReadOnlyList<SiloProcess> silos, IReadOnlyCollection<string> entities, TimeSpan deadline, CancellationToken ct)
    {
        var timer = Stopwatch.StartNew();
        while (true)
        {
            var placement = new List<HashSet<string>>();
            foreach (var silo in silos)
            {
                using var http = new HttpClient { BaseAddress = silo.HttpAddress };
                var text = await http.GetStringAsync("metrics", ct);
                placement.Add(ReportedEntities(text).Where(entities.Contains).ToHashSet());
            }

            if (placement.Sum(p => p.Count) >= entities.Count || timer.Elapsed > deadline)
            {
                return placement;
            }

            await Task.Delay(500, ct);
        }
    }

    private static IEnumerable<string> ReportedEntities(string metrics) =>
        metrics.Split('\n')
            .Where(line => line.StartsWith(HostedEntityMetric + "{", StringComparison.Ordinal))
            .Select(line => EntityLabel().Match(line))
            .Where(match => match.Success)
            .Select(match => match.Groups[1].Value);

    [GeneratedRegex("[{,]entity=\"([^\"]+)\"")]
    private static partial Regex EntityLabel();
}
