using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Loire.Client;
using Loire.Client.Administration;
using Loire.LoadTests;

namespace Loire.TotalQueue;

/// <summary>
/// One run in the style of Jepsen's RabbitMQ test: silo processes clustered on the run's own durable Redis, producers
/// sending uniquely numbered messages to every queue and the topic, consumers receiving and completing from every queue
/// and subscription; rounds that kill -9 a random silo (then start it again) and rounds that kill -9 Redis (then start
/// it again from its AOF), each measured until sends and receives work again everywhere; then a final drain. Every
/// message acknowledged anywhere must have arrived by the end.
/// </summary>
internal sealed partial class TotalQueueRun(TotalQueueOptions options, string workDirectory, TextWriter output)
{
    private const string ClusterId = "loire-total-queue";

    // A gauge every silo exports for each queue and subscription active on it.
    private const string HostedEntityMetric = "loire_entity_locked_messages";
    private static readonly TimeSpan s_warmUpTimeout = TimeSpan.FromSeconds(60);

    private readonly Stopwatch _clock = new();
    private readonly FailureLog _failures = new();
    private readonly List<DestinationBooks> _destinations = [];
    private readonly List<Producer> _producers = [];
    private readonly List<Consumer> _consumers = [];
    private readonly List<Round> _rounds = [];
    private readonly Random _random = new(options.Seed);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private Task<SiloChange>? _replacement;

    public async Task<RunSummary> RunAsync(CancellationToken cancellationToken)
    {
        await using var redis = await RedisProcess.StartAsync(options.RedisServer, Path.Combine(workDirectory, "redis"), cancellationToken);
        Line($"redis-server pid {redis.ProcessId} on {redis.Configuration} (appendonly yes, appendfsync always)");
        await using var fleet = new SiloFleet(new SiloFleetOptions(options.SiloDll, redis.Configuration, ClusterId, options.Silos), workDirectory);
        // Started together: each call takes its slot before its first await.
        foreach (var started in await Task.WhenAll(Enumerable.Range(0, options.Silos).Select(_ => fleet.StartAsync(cancellationToken))))
        {
            Line($"silo {started.Slot} pid {started.ProcessId} ready after {Seconds(started.Took)} s");
        }

        var clientOptions = new LoireClientOptions { ClusterId = ClusterId, OperationTimeout = options.OperationTimeout };
        foreach (var gateway in fleet.Gateways)
        {
            clientOptions.Gateways.Add(gateway);
        }

        await using var client = new LoireClient(clientOptions);
        await CreateEntitiesAsync(client, cancellationToken);
        using var stopProducers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var stopConsumers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _clock.Start();
        var producing = Task.WhenAll(_producers.Select(p => Task.Run(() => p.RunAsync(stopProducers.Token), CancellationToken.None)));
        var consuming = Task.WhenAll(_consumers.Select(c => Task.Run(() => c.RunAsync(stopConsumers.Token), CancellationToken.None)));
        try
        {
            if (await WaitForRecoveryAsync(TimeSpan.Zero, s_warmUpTimeout, cancellationToken) is null)
            {
                throw new TimeoutException($"Sends and receives did not all get going within {s_warmUpTimeout.TotalSeconds:0} s.");
            }

            Line($"load running: {_producers.Count} producers at {options.SendRate}/s, {_consumers.Count} consumers");
            var start = TimeSpan.Zero;
            for (var number = 1; number <= options.SiloRounds + options.RedisRounds; number++)
            {
                await Task.Delay(options.RoundLength, cancellationToken);
                await AwaitReplacementAsync();
                var round = number <= options.SiloRounds
                    ? await KillSiloAsync(fleet, number, start, cancellationToken)
                    : await KillRedisAsync(redis, number, start, cancellationToken);
                _rounds.Add(round);
                start = round.End;
            }

            await AwaitReplacementAsync();
            await stopProducers.CancelAsync();
            await producing;
            var drainStart = _clock.Elapsed;
            var drained = await WaitUntilAsync(() => _destinations.All(d => d.Missing == 0), options.DrainTimeout, cancellationToken);
            await stopConsumers.CancelAsync();
            await consuming;
            _rounds.Add(new Round("drain", drained ? "none (producers stopped)" : "none (producers stopped; drain timed out)", start, null, _clock.Elapsed, null));
            Line($"drain: {(drained ? "every acknowledged message arrived" : "gave up")} after {Seconds(_clock.Elapsed - drainStart)} s");
        }
        finally
        {
            await stopProducers.CancelAsync();
            await stopConsumers.CancelAsync();
            await Task.WhenAll(producing, consuming);
        }

        return Summarize();
    }

    private async Task<Round> KillSiloAsync(SiloFleet fleet, int number, TimeSpan start, CancellationToken cancellationToken)
    {
        var (victim, hosted) = await PickVictimAsync(fleet, cancellationToken);
        var fault = $"kill -9 silo {victim} ({hosted}/{_destinations.Count} hosted)";
        var killed = await fleet.KillAsync(victim);
        // From the moment the process is gone: a call answered while it was still dying proves nothing.
        var faultAt = _clock.Elapsed;
        // The replacement starts while the survivors take over and joins under load; the next round waits for it.
        _replacement = fleet.StartAsync(cancellationToken);
        var recovery = await WaitForRecoveryAsync(faultAt, options.RecoveryTimeout, cancellationToken);
        Line($"round {number}: kill -9 silo {victim} (pid {killed.ProcessId}, hosting {hosted} of the {_destinations.Count} queues and "
            + $"subscriptions) at {Seconds(faultAt)} s; {Recovered(recovery, faultAt)}");
        return new Round(Text(number), fault, start, faultAt, _clock.Elapsed, recovery);
    }

    /// <summary>
    /// A random silo among those that host queues or subscriptions of the run (any silo when none says so): killing
    /// one that hosts none only tests the clients' gateway failover, not the entities'.
    /// </summary>
    private async Task<(int Slot, int Hosted)> PickVictimAsync(SiloFleet fleet, CancellationToken cancellationToken)
    {
        var running = await Task.WhenAll(fleet.RunningSlots.Select(async slot =>
            (Slot: slot, Hosted: await HostedDestinationsAsync(fleet.HttpAddressOf(slot), cancellationToken))));
        var hosting = running.Where(r => r.Hosted > 0).ToArray();
        var candidates = hosting.Length > 0 ? hosting : running;
        return candidates[_random.Next(candidates.Length)];
    }

    /// <summary>
    /// How many of the run's queues and subscriptions the silo hosts, from the entity gauges on its metrics endpoint
    /// (a silo exports them for the entities active on it); -1 when it does not answer.
    /// </summary>
    private async Task<int> HostedDestinationsAsync(Uri silo, CancellationToken cancellationToken)
    {
        try
        {
            var metrics = await _http.GetStringAsync(new Uri(silo, "metrics"), cancellationToken);
            var hosted = metrics.Split('\n')
                .Where(line => line.StartsWith(HostedEntityMetric + "{", StringComparison.Ordinal))
                .Select(line => EntityLabel().Match(line))
                .Where(match => match.Success)
                .Select(match => match.Groups[1].Value)
                .ToHashSet();
            return _destinations.Count(d => hosted.Contains(d.Name));
        }
        catch (HttpRequestException)
        {
            return -1;
        }
    }

    private async Task AwaitReplacementAsync()
    {
        if (_replacement is { } replacement)
        {
            _replacement = null;
            var started = await replacement;
            Line($"silo {started.Slot} started again (pid {started.ProcessId}) in {Seconds(started.Took)} s");
        }
    }

    private async Task<Round> KillRedisAsync(RedisProcess redis, int number, TimeSpan start, CancellationToken cancellationToken)
    {
        var pid = redis.ProcessId;
        await redis.KillAsync();
        var faultAt = _clock.Elapsed;
        await redis.RestartAsync(cancellationToken);
        var restartedAfter = _clock.Elapsed - faultAt;
        var recovery = await WaitForRecoveryAsync(faultAt, options.RecoveryTimeout, cancellationToken);
        var round = new Round(Text(number), "kill -9 redis", start, faultAt, _clock.Elapsed, recovery);
        Line($"round {number}: kill -9 redis (pid {pid}) at {Seconds(faultAt)} s, answering again (pid {redis.ProcessId}) after "
            + $"{Seconds(restartedAfter)} s; {Recovered(recovery, faultAt)}");
        return round;
    }

    /// <summary>
    /// Waits until every producer had a send and every destination a receive that started after <paramref name="moment"/>
    /// and succeeded (a receive: returned messages); returns how long after the moment the last of them did, or null
    /// when <paramref name="timeout"/> passed first.
    /// </summary>
    private async Task<TimeSpan?> WaitForRecoveryAsync(TimeSpan moment, TimeSpan timeout, CancellationToken cancellationToken)
    {
        TimeSpan? recovery = null;
        await WaitUntilAsync(() => (recovery = RecoveryAfter(moment)) is not null, timeout, cancellationToken);
        return recovery;
    }

    private TimeSpan? RecoveryAfter(TimeSpan moment) => SlowestAfter(moment)?.After;

    /// <summary>The producer or destination that succeeded last after <paramref name="moment"/>, and when; null while one has not yet.</summary>
    private (string Name, TimeSpan After)? SlowestAfter(TimeSpan moment)
    {
        (string Name, TimeSpan After)? slowest = null;
        foreach (var (name, first) in _producers.Select(p => ($"send {p.Entity}", p.FirstSendAfter(moment)))
            .Concat(_destinations.Select(d => ($"receive {d.Name}", d.FirstReceiveAfter(moment)))))
        {
            if (first is not { } time)
            {
                return null;
            }

            if (slowest is null || time > slowest.Value.After)
            {
                slowest = (name, time);
            }
        }

        return slowest;
    }

    private async Task CreateEntitiesAsync(LoireClient client, CancellationToken cancellationToken)
    {
        // Duplicate detection, so a send the client retried is stored once; short locks, so a batch whose completion
        // failed comes back soon.
        var admin = client.CreateAdministrationClient();
        var lockDuration = TimeSpan.FromSeconds(5);
        for (var q = 0; q < options.Queues; q++)
        {
            var name = TotalQueueOptions.QueueName(q);
            await admin.CreateQueueAsync(new CreateQueueOptions(name) { RequiresDuplicateDetection = true, LockDuration = lockDuration }, cancellationToken);
            AddTraffic(client, name, [(name, client.CreateReceiver(name))]);
        }

        if (options.Subscriptions > 0)
        {
            var topic = TotalQueueOptions.TopicName;
            await admin.CreateTopicAsync(new CreateTopicOptions(topic) { RequiresDuplicateDetection = true }, cancellationToken);
            var receivers = new List<(string, LoireReceiver)>();
            for (var s = 0; s < options.Subscriptions; s++)
            {
                var subscription = TotalQueueOptions.SubscriptionName(s);
                await admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, subscription) { LockDuration = lockDuration }, cancellationToken);
                receivers.Add(($"{topic}/subscriptions/{subscription}", client.CreateReceiver(topic, subscription)));
            }

            AddTraffic(client, topic, receivers);
        }
    }

    private void AddTraffic(LoireClient client, string entity, IEnumerable<(string Name, LoireReceiver Receiver)> destinations)
    {
        var books = new List<DestinationBooks>();
        foreach (var (name, receiver) in destinations)
        {
            var destination = new DestinationBooks(name);
            books.Add(destination);
            _destinations.Add(destination);
            _consumers.Add(new Consumer(receiver, destination, _failures, _clock));
        }

        _producers.Add(new Producer(client, entity, books, _failures, _clock, options.SendRate));
    }

    private RunSummary Summarize()
    {
        var rows = _rounds.Select(r =>
        {
            var counts = _destinations.Select(d => d.Count(r.Start, r.End)).Aggregate(default(WindowCounts), (a, b) => a + b);
            return new RoundResult(r.Name, r.Fault, Round2(r.Start), r.FaultAt is { } at ? Round2(at) : null, Round2(r.End), counts.Acknowledged,
                counts.Received, counts.Duplicates, counts.Lost, _failures.Count(r.Start, r.End), r.Recovery is { } recovery ? Round2(recovery) : null,
                Round2(_producers.Max(p => p.LongestGap(r.Start, r.End))), r.FaultAt is null || r.Recovery is not null);
        }).ToList();
        var lost = _destinations.Sum(d => d.Missing);
        var recoveries = rows.Where(r => r.RecoverySeconds is not null).Select(r => r.RecoverySeconds!.Value).ToList();
        var passed = lost == 0 && rows.All(r => r.Recovered) && _rounds.Count > 0 && _rounds[^1].Name == "drain";
        return new RunSummary(
            passed ? "PASS" : "FAIL", options.Seed, options.Silos, options.Queues, options.Subscriptions, rows,
            _destinations.Sum(d => d.Acknowledged), rows.Sum(r => r.Received), rows.Sum(r => r.Duplicates), lost,
            _destinations.Sum(d => d.UnacknowledgedArrivals), recoveries.Count == 0 ? null : recoveries.Max(), _failures.Summary(),
            _destinations.Where(d => d.Missing > 0).ToDictionary(d => d.Name, d => d.MissingSample(20)));
    }

    private async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var timer = Stopwatch.StartNew();
        while (!condition())
        {
            if (timer.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(100, cancellationToken);
        }

        return true;
    }

    private void Line(string text) => output.WriteLine($"[{Seconds(_clock.Elapsed),7} s] {text}");

    private string Recovered(TimeSpan? recovery, TimeSpan faultAt) => recovery is { } time
        ? $"sends and receives succeeded again everywhere {Seconds(time)} s after it (last: {SlowestAfter(faultAt)!.Value.Name})"
        : $"NOT recovered within {options.RecoveryTimeout.TotalSeconds:0} s";

    private static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Text(int number) => number.ToString(CultureInfo.InvariantCulture);

    private static double Round2(TimeSpan time) => Math.Round(time.TotalSeconds, 2);

    [GeneratedRegex("[{,]entity=\"([^\"]+)\"")]
    private static partial Regex EntityLabel();

    private sealed record Round(string Name, string Fault, TimeSpan Start, TimeSpan? FaultAt, TimeSpan End, TimeSpan? Recovery);
}
