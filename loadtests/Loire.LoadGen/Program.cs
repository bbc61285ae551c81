using System.Globalization;
using Loire.Client;
using Loire.LoadGen;

var options = LoadOptions.Parse(args);
await using var client = new LoireClient(options.Gateway);
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancellation.Cancel(); };

// Warm-up: JIT, connections and grain activation paths, not reported.
await new ThroughputRun(client, options with { Messages = Math.Min(options.Messages, 5_000) })
    .ExecuteAsync($"warmup-{Guid.NewGuid():N}", cancellation.Token);

for (var run = 1; run <= options.Runs; run++)
{
    var result = await new ThroughputRun(client, options).ExecuteAsync($"load-{Guid.NewGuid():N}", cancellation.Token);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"result broker=loire scenario={options.Scenario} run={run} msgs={result.Messages} secs={result.Seconds:F2} rate={result.Rate:F0} pub_rate={result.PublishRate:F0} qlat_p50_ms={result.Latencies.Percentile(50):F2} qlat_p99_ms={result.Latencies.Percentile(99):F2} producers={options.Producers} consumers={options.Consumers} batch={options.Batch} window={options.Window}"));
}
