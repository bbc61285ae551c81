namespace Loire.LoadGen;

/// <summary>
/// Measures a unit on a quiet machine: waits until the machine is idle before it, and redoes it (up to
/// <c>--retries</c> times) when other processes or hypervisor steal took a significant share of the CPU during it.
/// Redone runs are printed as <c>noisy-retry ...</c>; one still noisy after the retries is kept and tagged noisy=1.
/// </summary>
internal sealed class NoiseGuard(LoadOptions options)
{
    public async Task<IReadOnlyList<ResultLine>> MeasureAsync(string scenario, int run, Func<Task<IReadOnlyList<ResultLine>>> unit, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var busyBefore = await CpuMeter.WaitUntilQuietAsync(options.QuietPercent, TimeSpan.FromSeconds(options.QuietWaitSeconds), cancellationToken);
            IReadOnlyList<ResultLine> lines;
            try
            {
                lines = await unit();
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                lines = [new ResultLine(options.Broker, scenario, run).Fail($"{exception.GetType().Name}: {exception.Message}")];
            }

            // A failed run is reported as it is: redoing it could hide a lost message.
            var noisy = lines.Any(l => l.Get("other_cpu_pct") > options.MaxOtherCpuPercent || l.Get("steal_pct") > options.MaxStealPercent);
            if (noisy && attempt <= options.Retries && !lines.Any(l => l.Failed))
            {
                foreach (var line in lines)
                {
                    Console.WriteLine("noisy-retry " + line);
                }

                continue;
            }

            foreach (var line in lines)
            {
                line.Add("attempt", attempt, "F0").Add("pre_busy_pct", busyBefore, "F0");
                if (noisy)
                {
                    line.Add("noisy", "1");
                }
            }

            return lines;
        }
    }
}
