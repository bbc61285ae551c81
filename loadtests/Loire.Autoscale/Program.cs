using Loire.Autoscale;
using Loire.Client;
using Loire.LoadTests;

// Autoscale controller on one machine: silo processes on loopback, one Redis, scaled on the scaler endpoint's depth.
// Exit codes: 0 scaled out and back in with nothing lost, 1 the run failed, 2 bad flags.
AutoscaleOptions options;
try
{
    options = AutoscaleOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine("usage: Loire.Autoscale --redis HOST:PORT [--min 1] [--max 3] [--target-per-silo 2000] [--messages 20000] "
        + "[--send-rate N] [--consume-rate 500] [--trickle-rate 20] [--queues 4] [--prefix autoscale] [--interval-ms 1000] "
        + "[--scale-in-stabilization-secs 15] [--scale-in-period-secs 10] [--timeout-secs 600] [--cluster-id loire-autoscale] "
        + "[--silo-dll PATH] [--work-dir DIR]; see deploy/README.md");
    return 2;
}

var workDirectory = options.WorkDirectory.Length > 0
    ? Directory.CreateDirectory(options.WorkDirectory).FullName
    : Directory.CreateTempSubdirectory("loire-autoscale-").FullName;
using var cancellation = new CancellationTokenSource(options.Timeout);
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancellation.Cancel(); };
var ct = cancellation.Token;

var timeline = new Timeline(Console.Out);
timeline.Line($"autoscale: {options.MinSilos}..{options.MaxSilos} silos, {options.TargetPerSilo} active messages per silo, "
    + $"scale-in after {options.ScaleInStabilization.TotalSeconds:0} s stable, one per {options.ScaleInPeriod.TotalSeconds:0} s; "
    + $"{options.Messages} messages over {options.Queues} queues '{options.Prefix}-*', consumers {options.ConsumeRate}/s; "
    + $"redis {options.Redis}; silo logs in {workDirectory}");
timeline.Header();

await using var fleet = new SiloFleet(new SiloFleetOptions(options.SiloDll, options.Redis, options.ClusterId, options.MaxSilos), workDirectory);
using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
var clientOptions = new LoireClientOptions { ClusterId = options.ClusterId };
foreach (var gateway in fleet.Gateways)
{
    // Every slot's gateway, running or not: the client connects to those that answer and finds the others later.
    clientOptions.Gateways.Add(gateway);
}

// The client connects on its first call, once the first silos run.
await using var client = new LoireClient(clientOptions);
await using var workload = new Workload(client, options);
var controller = new AutoscaleController(options, fleet, workload, new ScalerDepthReader(http), timeline);
var passed = false;
try
{
    await controller.StartMinimumAsync(ct);
    await workload.CreateQueuesAsync(ct);
    timeline.Row(null, fleet.Count, $"client connected, {options.Queues} queues ready; producer and consumers start");
    workload.Start();
    var scaled = await controller.RunAsync(ct);
    var drained = await controller.DrainAsync(ct);
    passed = scaled && drained && controller.CleanScaleIns;
}
catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
{
    timeline.Line($"autoscale: gave up after {options.Timeout.TotalSeconds:0} s");
}
catch (Exception e)
{
    timeline.Line($"autoscale: failed: {e}");
}

timeline.Line(controller.Summary(passed));
return passed ? 0 : 1;
