using System.Globalization;
using Loire.LoadTests;

namespace Loire.Autoscale;

/// <summary>
/// The control loop: every interval it reads the depth under the prefix from a silo's scaler endpoint, asks the
/// policy how many silos to run, and starts silos (scale-out) or stops the newest one gracefully (scale-in). The run
/// is over once it scaled out, then back in to the minimum, and the consumers drained every acknowledged message.
/// </summary>
internal sealed class AutoscaleController(AutoscaleOptions options, SiloFleet fleet, Workload workload, ScalerDepthReader depth, Timeline timeline)
{
    private static readonly TimeSpan s_drainDeadline = TimeSpan.FromSeconds(60);

    private readonly ScalingPolicy _policy = new(options.MinSilos, options.MaxSilos, options.TargetPerSilo,
        options.ScaleInStabilization, options.ScaleInPeriod);

    private readonly List<SiloChange> _scaleIns = [];
    private TimeSpan? _firstScaleOut;
    private TimeSpan? _lastScaleIn;
    private int _scaleOuts;
    private int _peakSilos;
    private long _peakDepth;

    public bool ScaledOut => _scaleOuts > 0;

    public bool ScaledIn => _scaleIns.Count > 0;

    /// <summary>Runs the loop until scale-out and scale-in both happened and the fleet is back at its minimum.</summary>
    public async Task<bool> RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var reading = await depth.ReadAsync(fleet.HttpAddresses, options.Prefix, cancellationToken);
            var value = reading is null ? (long?)null : (long)reading.Value;
            _peakDepth = Math.Max(_peakDepth, value ?? 0);
            if (value is { } current)
            {
                var desired = _policy.Decide(timeline.Now, current, fleet.Count);
                if (desired > fleet.Count)
                {
                    await ScaleOutAsync(current, desired, cancellationToken);
                }
                else if (desired < fleet.Count)
                {
                    await ScaleInAsync(current, desired);
                }
            }

            timeline.Row(value, fleet.Count);
            if (workload.BurstSent.IsCompleted && ScaledOut && ScaledIn && fleet.Count == options.MinSilos)
            {
                return true;
            }

            await Task.Delay(options.Interval, cancellationToken);
        }

        return false;
    }

    /// <summary>Stops the trickle and waits until every acknowledged message arrived (or the deadline passed); true when none is missing.</summary>
    public async Task<bool> DrainAsync(CancellationToken cancellationToken)
    {
        await workload.StopProducingAsync();
        var started = timeline.Now;
        while (workload.Books.Lost > 0 && timeline.Now - started < s_drainDeadline)
        {
            await Task.Delay(200, cancellationToken);
        }

        timeline.Row((long)workload.Books.Lost, fleet.Count,
            $"drained: {workload.Books.Acknowledged} acknowledged, {workload.Books.Received} received, {workload.Books.Lost} missing");
        return workload.Books.Lost == 0;
    }

    public string Summary(bool passed) => string.Create(CultureInfo.InvariantCulture,
        $"autoscale summary: result={(passed ? "PASS" : "FAIL")} min={options.MinSilos} max={options.MaxSilos} "
        + $"target_per_silo={options.TargetPerSilo} peak_depth={_peakDepth} peak_silos={_peakSilos} scale_outs={_scaleOuts} "
        + $"scale_ins={_scaleIns.Count} first_scale_out_s={_firstScaleOut?.TotalSeconds:0.0} last_scale_in_s={_lastScaleIn?.TotalSeconds:0.0} "
        + $"scale_in_exit_codes={string.Join(",", _scaleIns.Select(s => s.ExitCode))} "
        + $"scale_in_drain_s={string.Join(",", _scaleIns.Select(s => s.Took.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)))} "
        + $"acknowledged={workload.Books.Acknowledged} received={workload.Books.Received} lost={workload.Books.Lost} "
        + $"duplicates={workload.Books.Duplicates} failures={workload.Books.FailureSummary} duration_s={timeline.Now.TotalSeconds:0.0}");

    public bool CleanScaleIns => _scaleIns.All(s => s.ExitCode == 0);

    public async Task StartMinimumAsync(CancellationToken cancellationToken)
    {
        while (fleet.Count < options.MinSilos)
        {
            var started = await fleet.StartAsync(cancellationToken);
            timeline.Row(null, fleet.Count, $"silo {started.Slot} started (pid {started.ProcessId}) in {started.Took.TotalSeconds:0.0} s");
        }

        _peakSilos = fleet.Count;
    }

    private async Task ScaleOutAsync(long current, int desired, CancellationToken cancellationToken)
    {
        _scaleOuts++;
        _firstScaleOut ??= timeline.Now;
        timeline.Row(current, fleet.Count, $"scale-out {fleet.Count} -> {desired}: depth {current} > {fleet.Count} x {options.TargetPerSilo}");
        // Started together: each waits for its own ready line.
        var starts = new List<Task<SiloChange>>();
        for (var i = fleet.Count; i < desired; i++)
        {
            starts.Add(fleet.StartAsync(cancellationToken));
        }

        foreach (var started in await Task.WhenAll(starts))
        {
            timeline.Row(current, fleet.Count, $"silo {started.Slot} started (pid {started.ProcessId}) in {started.Took.TotalSeconds:0.0} s");
        }

        _peakSilos = Math.Max(_peakSilos, fleet.Count);
    }

    private async Task ScaleInAsync(long current, int desired)
    {
        timeline.Row(current, fleet.Count,
            $"scale-in {fleet.Count} -> {desired}: every recommendation of the last {options.ScaleInStabilization.TotalSeconds:0} s below {fleet.Count}; SIGTERM to the newest silo");
        var stopped = await fleet.StopNewestAsync();
        _scaleIns.Add(stopped);
        _lastScaleIn = timeline.Now;
        timeline.Row(current, fleet.Count,
            $"silo {stopped.Slot} (pid {stopped.ProcessId}) drained and exited {stopped.ExitCode} in {stopped.Took.TotalSeconds:0.00} s");
    }
}
