using System.Diagnostics;
using System.Globalization;
using Loire.Client;
using Loire.Client.Administration;
using Loire.EntityScale;

// Entity scale: N queues with one message each on one silo, then cold receives from a random sample.
var options = ScaleOptions.Parse(args);
await using var client = new LoireClient(options.Gateway);
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancellation.Cancel(); };
var ct = cancellation.Token;
var memory = new SiloMemory(options.SiloPid);
using var metrics = options.MetricsUrl is { } url ? new SiloMetrics(url) : null;
var report = new List<string>();

async Task ReportMemoryAsync(string phase)
{
    var activations = metrics is null ? (long?)null : await metrics.GetActivationsAsync(ct);
    var rss = memory.Read();
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"after {phase}: rss={rss?.RssMiB:F0} MiB peak={rss?.PeakMiB:F0} MiB activations={activations}"));
    if (rss is { } value)
    {
        report.Add(string.Create(CultureInfo.InvariantCulture, $"rss_{phase}_mib={value.RssMiB:F0}"));
    }

    if (activations is { } count)
    {
        report.Add(string.Create(CultureInfo.InvariantCulture, $"activations_{phase}={count}"));
    }
}

void ReportPhase(PhaseResult result)
{
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{result.Name}: {result.Count} in {result.Seconds:F1} s = {result.Rate:F0}/s, {result.Failures} failed"));
    report.Add(string.Create(CultureInfo.InvariantCulture,
        $"{result.Name}_secs={result.Seconds:F1} {result.Name}_rate={result.Rate:F0} {result.Name}_failures={result.Failures}"));
}

await client.ConnectAsync(ct);
var baselineActivations = metrics is null ? 0 : await metrics.GetActivationsAsync(ct);
await ReportMemoryAsync("start");

var admin = client.CreateAdministrationClient();
ReportPhase(await BulkPhase.RunAsync("create", options.Queues, options.Concurrency,
    (i, token) => admin.CreateQueueAsync(options.QueueName(i), token), ct));
await ReportMemoryAsync("created");

var body = new byte[options.Size];
Random.Shared.NextBytes(body);
ReportPhase(await BulkPhase.RunAsync("send", options.Queues, options.Concurrency,
    (i, token) => client.CreateSender(options.QueueName(i)).SendMessageAsync(new LoireMessage(body) { MessageId = "m-0" }, token), ct));
await ReportMemoryAsync("sent");

if (options.IdleWait > TimeSpan.Zero)
{
    // Idle deactivation: every queue was last used before this point, so after the entity idle timeout (plus one
    // collection quantum) none should be active.
    var waited = Stopwatch.StartNew();
    while (waited.Elapsed < options.IdleWait)
    {
        await Task.Delay(TimeSpan.FromSeconds(5), ct);
        if (metrics is not null)
        {
            var activations = await metrics.GetActivationsAsync(ct);
            Console.Error.WriteLine($"idle: {waited.Elapsed.TotalSeconds:F0} s, {activations} activations");
            if (activations <= baselineActivations)
            {
                break;
            }
        }
    }

    report.Add(string.Create(CultureInfo.InvariantCulture, $"idle_wait_secs={waited.Elapsed.TotalSeconds:F0}"));
    await ReportMemoryAsync("idle");
}

// Depth of every (idle) entity from the catalog: the scaler endpoint over all of them, and a scrape of the capped gauges.
if (metrics is not null)
{
    var (scalerMs, scalerBody) = await metrics.TimeGetAsync($"/scaler/v1/depth?prefix={Uri.EscapeDataString(options.Prefix)}", 5, ct);
    using var depth = System.Text.Json.JsonDocument.Parse(scalerBody);
    var depthEntities = depth.RootElement.GetProperty("entities").GetInt32();
    var depthActive = depth.RootElement.GetProperty("activeMessages").GetInt64();
    var (scrapeMs, scrape) = await metrics.TimeGetAsync("/metrics", 5, ct);
    var depthSeries = scrape.Split('\n').Count(line => line.StartsWith("loire_entity_active_messages{", StringComparison.Ordinal));
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"depth: scaler over {depthEntities} entities ({depthActive} active) in {scalerMs:F0} ms; /metrics {scrape.Length / 1024} KiB with {depthSeries} depth series in {scrapeMs:F0} ms"));
    report.Add(string.Create(CultureInfo.InvariantCulture,
        $"depth_scaler_ms={scalerMs:F0} depth_entities={depthEntities} depth_active={depthActive} scrape_ms={scrapeMs:F0} scrape_kib={scrape.Length / 1024} depth_series={depthSeries}"));
}

// Cold receives, one at a time so each latency is a receive alone: activation (catalog entry and messages loaded
// from the store) plus the receive itself. The completion is not timed.
var random = new Random(options.Seed);
var sample = Enumerable.Range(0, options.Queues).OrderBy(_ => random.Next()).Take(options.Sample).ToList();
var latencies = new List<double>(sample.Count);
var missing = 0;
foreach (var index in sample)
{
    var receiver = client.CreateReceiver(options.QueueName(index));
    var watch = Stopwatch.StartNew();
    var message = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(10), ct);
    latencies.Add(watch.Elapsed.TotalMilliseconds);
    if (message is null)
    {
        missing++;
        continue;
    }

    await receiver.CompleteMessageAsync(message, ct);
}

latencies.Sort();
double Percentile(double p) => latencies[Math.Min(latencies.Count - 1, (int)(p / 100 * latencies.Count))];
Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"cold receive: {latencies.Count} queues, p50 {Percentile(50):F1} ms, p99 {Percentile(99):F1} ms, max {latencies[^1]:F1} ms, {missing} without a message"));
report.Add(string.Create(CultureInfo.InvariantCulture,
    $"cold_p50_ms={Percentile(50):F2} cold_p99_ms={Percentile(99):F2} cold_max_ms={latencies[^1]:F2} cold_samples={latencies.Count} cold_missing={missing}"));
await ReportMemoryAsync("received");

if (options.Delete)
{
    ReportPhase(await BulkPhase.RunAsync("delete", options.Queues, options.Concurrency,
        (i, token) => admin.DeleteQueueAsync(options.QueueName(i), token), ct));
    await ReportMemoryAsync("deleted");
}

if (memory.Read() is { } final)
{
    report.Add(string.Create(CultureInfo.InvariantCulture, $"rss_peak_mib={final.PeakMiB:F0}"));
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"result broker=loire scenario=entity-scale queues={options.Queues} size={options.Size} concurrency={options.Concurrency} ")
    + string.Join(' ', report));
