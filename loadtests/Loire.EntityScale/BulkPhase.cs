using System.Diagnostics;
using System.Globalization;

namespace Loire.EntityScale;

/// <summary>Outcome of one bulk phase: how many operations ran, failed, and how long they took.</summary>
internal sealed record PhaseResult(string Name, int Count, int Failures, double Seconds)
{
    public double Rate => Count / Seconds;
}

/// <summary>Runs one operation per queue index with a fixed number of workers, reporting progress to stderr.</summary>
internal static class BulkPhase
{
    private static readonly TimeSpan s_progressPeriod = TimeSpan.FromSeconds(5);
    private const int FailuresShown = 5;

    public static async Task<PhaseResult> RunAsync(string name, int count, int concurrency,
        Func<int, CancellationToken, Task> operation, CancellationToken cancellationToken)
    {
        var next = -1;
        var done = 0;
        var failures = 0;
        var watch = Stopwatch.StartNew();

        async Task WorkAsync()
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < count && !cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await operation(index, cancellationToken);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    if (Interlocked.Increment(ref failures) <= FailuresShown)
                    {
                        Console.Error.WriteLine($"{name} #{index} failed: {e.GetType().Name}: {e.Message}");
                    }
                }

                Interlocked.Increment(ref done);
            }
        }

        var workers = Task.WhenAll(Enumerable.Range(0, Math.Min(concurrency, count)).Select(_ => Task.Run(WorkAsync, CancellationToken.None)));
        while (await Task.WhenAny(workers, Task.Delay(s_progressPeriod, CancellationToken.None)) != workers)
        {
            var completed = Volatile.Read(ref done);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: {completed}/{count} ({completed / watch.Elapsed.TotalSeconds:F0}/s) failures={Volatile.Read(ref failures)}"));
        }

        await workers;
        cancellationToken.ThrowIfCancellationRequested();
        return new PhaseResult(name, count, failures, watch.Elapsed.TotalSeconds);
    }
}
