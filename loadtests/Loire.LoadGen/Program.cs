using System.Globalization;
using Loire.Client;
using Loire.LoadGen;

// Loire.LoadGen [options]                     runs the scenarios against a silo (see loadtests/README.md)
// Loire.LoadGen summarize FILE...             markdown summary of saved result lines
// Loire.LoadGen compare LOIRE_FILE RMQ_FILE   Loire beside the RabbitMQ baseline
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

switch (args.FirstOrDefault())
{
    case "summarize":
        ResultTables.PrintSummary(args.Skip(1).SelectMany(File.ReadLines), Console.Out);
        return 0;
    case "compare" when args.Length == 3:
        ResultTables.PrintComparison(File.ReadLines(args[1]), File.ReadLines(args[2]), Console.Out);
        return 0;
    case "compare":
        Console.Error.WriteLine("usage: Loire.LoadGen compare LOIRE_RESULTS RABBITMQ_RESULTS");
        return 2;
}

LoadOptions options;
try
{
    options = LoadOptions.Parse(args);
}
catch (ArgumentException exception)
{
    Console.Error.WriteLine($"Loire.LoadGen: {exception.Message}");
    return 2;
}

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

await using var client = new LoireClient(options.Gateway);
using var brokerMetrics = options.BrokerMetrics is { } metricsUrl ? new BrokerRuntimeScraper(metricsUrl) : null;
await using var progress = new ProgressDisplay(enabled: !options.Quiet && !Console.IsErrorRedirected);
if (options.WarmUp)
{
    // JIT, connections and grain activation paths; not reported. A latency scenario also gets a few seconds of its
    // own paced traffic first: the throughput warm-up leaves the paced send and single-delivery paths of a fresh
    // client process still tiering up, which made the first measured latency run of every invocation an outlier.
    // 100,000 messages, not the RabbitMQ baseline's 20,000: the hot calls carry hundreds of messages each, so 20,000
    // are only about a hundred calls, too few for .NET's tiered compilation to reach its optimized code (the first
    // measured run was then 40-50 % slower than the next two).
    Console.Error.WriteLine("# warm-up ...");
    var warmUpRunner = new ScenarioRunner(client, options with { Messages = Math.Min(options.Messages, 100_000), LatencySeconds = 3 }, progress);
    var warmUps = options.Scenarios.Where(s => s.Kind == ScenarioKind.Latency).DistinctBy(s => s.Name).Prepend(Scenario.Parse("durable-1p1c"));
    foreach (var scenario in warmUps)
    {
        var warmUp = await warmUpRunner.RunAsync(scenario, 0, cancellation.Token);
        if (warmUp.FirstOrDefault(l => l.Failed) is { } failedWarmUp)
        {
            Console.Error.WriteLine($"# warm-up failed: {failedWarmUp}");
            return 1;
        }
    }
}

var runner = new ScenarioRunner(client, options, progress, brokerMetrics);
var guard = new NoiseGuard(options);
var results = new List<ResultLine>();
try
{
    foreach (var scenario in options.Scenarios)
    {
        for (var run = 1; run <= options.Runs; run++)
        {
            var lines = await guard.MeasureAsync(scenario.Name, run, () => runner.RunAsync(scenario, run, cancellation.Token), cancellation.Token);
            foreach (var line in lines)
            {
                Console.WriteLine(line);
            }

            if (options.OutFile is not null)
            {
                await File.AppendAllLinesAsync(options.OutFile, lines.Select(l => l.ToString()), CancellationToken.None);
            }

            results.AddRange(lines);
        }
    }
}
catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
{
    Console.Error.WriteLine("# interrupted; the table covers the runs that finished");
}

Console.WriteLine();
ResultTables.PrintSummary(results.Select(r => r.ToString()), Console.Out);
return cancellation.IsCancellationRequested ? 130 : results.Any(r => r.Failed) ? 1 : 0;
