using Loire.TotalQueue;

// The total-queue test: kill -9 rounds against silos and Redis under load, then a drain; nothing acknowledged may be lost.
// Exit codes: 0 nothing lost and every round recovered, 1 the run failed (a loss, a round that did not recover, an error), 2 bad flags.
TotalQueueOptions options;
try
{
    options = TotalQueueOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(TotalQueueOptions.Usage);
    return 2;
}

var workDirectory = options.WorkDirectory.Length > 0
    ? Directory.CreateDirectory(options.WorkDirectory).FullName
    : Directory.CreateTempSubdirectory("loire-total-queue-").FullName;
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancellation.Cancel(); };

Console.WriteLine($"total-queue: {options.Silos} silos, {options.Queues} queues, topic with {options.Subscriptions} subscriptions, "
    + $"{options.SiloRounds} silo rounds + {options.RedisRounds} Redis rounds of {options.RoundLength.TotalSeconds:0} s, seed {options.Seed}; "
    + $"logs and data in {workDirectory}");
RunSummary summary;
try
{
    summary = await new TotalQueueRun(options, workDirectory, Console.Out).RunAsync(cancellation.Token);
}
catch (Exception e)
{
    Console.WriteLine($"total-queue: failed: {e}");
    return 1;
}

RunReport.WriteTable(Console.Out, summary);
var json = RunReport.Json(summary);
Console.WriteLine(RunReport.JsonPrefix + json);
if (options.JsonPath.Length > 0)
{
    await File.WriteAllTextAsync(options.JsonPath, json);
}

return summary.Result == "PASS" ? 0 : 1;
