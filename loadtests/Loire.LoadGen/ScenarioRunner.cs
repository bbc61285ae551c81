using System.Diagnostics;
using Loire.Client;
using Loire.Client.Administration;

namespace Loire.LoadGen;

/// <summary>
/// Runs one measured unit of a scenario on fresh entities (deleted afterwards) and returns its result lines. Rates
/// follow the baseline: throughput = messages / (first send to last delivery), drain = messages / (consumer start to
/// last delivery), fan-out = deliveries / (first send to last delivery).
/// </summary>
internal sealed class ScenarioRunner(LoireClient client, LoadOptions options, ProgressDisplay progress, BrokerRuntimeScraper? brokerMetrics = null)
{
    private readonly LoireAdministrationClient _admin = client.CreateAdministrationClient();

    public Task<IReadOnlyList<ResultLine>> RunAsync(Scenario scenario, int run, CancellationToken cancellationToken) => scenario.Kind switch
    {
        ScenarioKind.Throughput or ScenarioKind.Latency => QueueAsync(scenario, run, cancellationToken),
        ScenarioKind.PublishThenDrain => PublishThenDrainAsync(run, cancellationToken),
        ScenarioKind.Fanout => FanoutAsync(scenario, run, cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(scenario)),
    };

    /// <summary>P producers and C competing consumers on one queue, saturating or at a fixed total rate.</summary>
    private async Task<IReadOnlyList<ResultLine>> QueueAsync(Scenario scenario, int run, CancellationToken cancellationToken)
    {
        var latency = scenario.Kind == ScenarioKind.Latency;
        var messages = latency ? (int)(scenario.Rate * (options.LatencySeconds + options.LatencyWarmUpSeconds)) : options.Messages;
        var warmUp = latency ? TimeSpan.FromSeconds(options.LatencyWarmUpSeconds) : TimeSpan.Zero;
        var queue = NewEntityName();
        await _admin.CreateQueueAsync(new CreateQueueOptions(queue) { EnableEarlyDelivery = options.EarlyDelivery }, cancellationToken);
        try
        {
            using var deadline = Deadline(cancellationToken);
            var tracker = new DeliveryTracker(messages);
            var acknowledgements = latency ? new LatencyRecorder(messages) : null;
            var counters = Show(scenario.Name, run, tracker);
            var consumers = await StartConsumersAsync(scenario.Consumers, i => (queue, null, body => tracker.Record(body.Span)), deadline.Token);
            try
            {
                var cpu = CpuMeter.Start(options.BrokerPid);
                var hotPath = await HotPathMeter.StartAsync(options.BrokerPid, brokerMetrics, deadline.Token);
                var started = Stopwatch.GetTimestamp();
                await Task.WhenAll(Enumerable.Range(0, scenario.Producers).Select(p =>
                    new Producer(client, queue, options, counters, acknowledgements).SendAsync(
                        Start(messages, scenario.Producers, p), Share(messages, scenario.Producers, p),
                        (double)scenario.Rate / scenario.Producers, warmUp, deadline.Token)));
                var sendSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                var seconds = await WaitForDeliveriesAsync(tracker, started, deadline.Token);
                var usage = cpu.Stop();

                var line = new ResultLine(options.Broker, scenario.Name, run)
                    .Add("msgs", messages, "F0").Add("secs", seconds, "F2").Add("rate", messages / seconds, "F0");
                if (latency)
                {
                    var p = tracker.Latencies.Percentiles(0.50, 0.99, 0.999, 1);
                    line.Add("target_rate", scenario.Rate, "F0").Add("lat_samples", tracker.Latencies.Count, "F0")
                        .Add("p50_ms", p[0], "F2").Add("p99_ms", p[1], "F2").Add("p999_ms", p[2], "F2").Add("max_ms", p[3], "F2");
                    // The send's share of the latency: how long the producer waited for the broker to say durable.
                    var ack = acknowledgements!.Percentiles(0.50, 0.99);
                    line.Add("ack_p50_ms", ack[0], "F2").Add("ack_p99_ms", ack[1], "F2");
                }
                else
                {
                    // Under saturation the delivery latency is mostly time spent queued: informational only.
                    var p = tracker.Latencies.Percentiles(0.50, 0.99);
                    line.Add("pub_rate", messages / sendSeconds, "F0").Add("qlat_p50_ms", p[0], "F1").Add("qlat_p99_ms", p[1], "F1");
                }

                usage.AddTo(line);
                await hotPath.AddToAsync(line, messages, deadline.Token);
                return [AddSettings(line.AddDeliveries(tracker))];
            }
            finally
            {
                await StopAsync(consumers);
            }
        }
        finally
        {
            progress.Current = null;
            await _admin.DeleteQueueAsync(queue, CancellationToken.None);
        }
    }

    /// <summary>A backlog sent into an empty queue with no consumer (its depth checked), then drained by one consumer.</summary>
    private async Task<IReadOnlyList<ResultLine>> PublishThenDrainAsync(int run, CancellationToken cancellationToken)
    {
        var messages = options.Messages;
        var queue = NewEntityName();
        await _admin.CreateQueueAsync(new CreateQueueOptions(queue) { EnableEarlyDelivery = options.EarlyDelivery }, cancellationToken);
        try
        {
            using var deadline = Deadline(cancellationToken);
            var tracker = new DeliveryTracker(messages);
            var counters = Show("publish-only", run, tracker);
            var cpu = CpuMeter.Start(options.BrokerPid);
            var started = Stopwatch.GetTimestamp();
            await new Producer(client, queue, options, counters).SendAsync(0, messages, 0, TimeSpan.Zero, deadline.Token);
            var sendSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var usage = cpu.Stop();
            var depth = (await _admin.GetQueueRuntimePropertiesAsync(queue, deadline.Token)).ActiveMessageCount;
            var published = new ResultLine(options.Broker, "publish-only", run)
                .Add("msgs", messages, "F0").Add("secs", sendSeconds, "F2").Add("rate", messages / sendSeconds, "F0")
                .Add("queue_depth", depth, "F0");
            usage.AddTo(published);
            if (depth != messages)
            {
                published.Fail($"the queue holds {depth} messages after {messages} acknowledged sends");
            }

            cpu = CpuMeter.Start(options.BrokerPid);
            started = Stopwatch.GetTimestamp();
            var consumers = await StartConsumersAsync(1, _ => (queue, null, body => tracker.Record(body.Span)), deadline.Token);
            try
            {
                var seconds = await WaitForDeliveriesAsync(tracker, started, deadline.Token);
                usage = cpu.Stop();
                var drained = new ResultLine(options.Broker, "drain", run)
                    .Add("msgs", messages, "F0").Add("secs", seconds, "F2").Add("rate", messages / seconds, "F0")
                    .Add("first_msg_ms", (tracker.FirstDelivery - started) * 1000.0 / Stopwatch.Frequency, "F1");
                usage.AddTo(drained);
                return [AddSettings(published), AddSettings(drained.AddDeliveries(tracker))];
            }
            finally
            {
                await StopAsync(consumers);
            }
        }
        finally
        {
            progress.Current = null;
            await _admin.DeleteQueueAsync(queue, CancellationToken.None);
        }
    }

    /// <summary>One producer into a topic with N subscriptions (each matching everything), one consumer per subscription.</summary>
    private async Task<IReadOnlyList<ResultLine>> FanoutAsync(Scenario scenario, int run, CancellationToken cancellationToken)
    {
        var messages = options.FanoutMessages;
        var topic = NewEntityName();
        await _admin.CreateTopicAsync(topic, cancellationToken);
        try
        {
            for (var i = 0; i < scenario.Subscriptions; i++)
            {
                await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, $"s{i}") { EnableEarlyDelivery = options.EarlyDelivery }, cancellationToken);
            }

            using var deadline = Deadline(cancellationToken);

            // Subscription i's copies are counted at indexes i * messages .. (i + 1) * messages - 1.
            var tracker = new DeliveryTracker(messages * scenario.Subscriptions);
            var counters = Show(scenario.Name, run, tracker);
            var consumers = await StartConsumersAsync(scenario.Subscriptions,
                i => (topic, $"s{i}", body => tracker.Record(body.Span, i * messages)), deadline.Token);
            try
            {
                var cpu = CpuMeter.Start(options.BrokerPid);
                var hotPath = await HotPathMeter.StartAsync(options.BrokerPid, brokerMetrics, deadline.Token);
                var started = Stopwatch.GetTimestamp();
                await new Producer(client, topic, options, counters).SendAsync(0, messages, 0, TimeSpan.Zero, deadline.Token);
                var sendSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                var seconds = await WaitForDeliveriesAsync(tracker, started, deadline.Token);
                var usage = cpu.Stop();
                var line = new ResultLine(options.Broker, scenario.Name, run)
                    .Add("msgs", messages, "F0").Add("deliveries", tracker.Expected, "F0").Add("secs", seconds, "F2")
                    .Add("rate", tracker.Expected / seconds, "F0").Add("pub_rate", messages / sendSeconds, "F0");
                usage.AddTo(line);
                await hotPath.AddToAsync(line, tracker.Expected, deadline.Token);
                return [AddSettings(line.AddDeliveries(tracker))];
            }
            finally
            {
                await StopAsync(consumers);
            }
        }
        finally
        {
            progress.Current = null;
            await _admin.DeleteTopicAsync(topic, CancellationToken.None);
        }
    }

    /// <summary>Seconds from <paramref name="started"/> to the last delivery, or to the deadline when messages are missing.</summary>
    private static async Task<double> WaitForDeliveriesAsync(DeliveryTracker tracker, long started, CancellationToken deadline)
    {
        try
        {
            var allDelivered = await tracker.AllDelivered.WaitAsync(deadline);
            return (allDelivered - started) / (double)Stopwatch.Frequency;
        }
        catch (OperationCanceledException)
        {
            // The line reports what is missing as lost and fails the run.
            return Stopwatch.GetElapsedTime(started).TotalSeconds;
        }
    }

    private ResultLine AddSettings(ResultLine line) => line
        .Add("size", options.Size, "F0").Add("batch", options.Batch, "F0").Add("window", options.Window, "F0")
        .Add("prefetch", options.Prefetch, "F0").Add("consumer", options.Consumer.ToString().ToLowerInvariant())
        .Add("delivery", options.Delivery.ToString().ToLowerInvariant())
        .Add("early", options.EarlyDelivery ? "on" : "off");

    private RunCounters Show(string scenario, int run, DeliveryTracker tracker)
    {
        var counters = new RunCounters(run == 0 ? "warm-up" : $"{scenario} run {run}", () => tracker.Received);
        progress.Current = counters;
        return counters;
    }

    private CancellationTokenSource Deadline(CancellationToken cancellationToken)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Timeout);
        return deadline;
    }

    private async Task<List<Consumer>> StartConsumersAsync(int count,
        Func<int, (string Entity, string? Subscription, Action<ReadOnlyMemory<byte>> Record)> consumer, CancellationToken cancellationToken)
    {
        var consumers = new List<Consumer>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var (entity, subscription, record) = consumer(i);
                consumers.Add(await Consumer.StartAsync(client, entity, subscription, options, record, cancellationToken));
            }

            return consumers;
        }
        catch
        {
            await StopAsync(consumers);
            throw;
        }
    }

    private static async Task StopAsync(List<Consumer> consumers) =>
        await Task.WhenAll(consumers.Select(c => c.DisposeAsync().AsTask()));

    private static string NewEntityName() => $"loadgen-{Guid.NewGuid():N}";

    private static int Share(int total, int parts, int index) => total / parts + (index < total % parts ? 1 : 0);

    private static int Start(int total, int parts, int index) => Enumerable.Range(0, index).Sum(i => Share(total, parts, i));
}
