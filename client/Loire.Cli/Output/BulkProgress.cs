using System.Diagnostics;
using System.Globalization;
using Loire.Cli.Infrastructure;
using Spectre.Console;

namespace Loire.Cli.Output;

/// <summary>
/// Shows long work on stderr: a live bar with count and rate on a terminal, one summary line when stderr is
/// redirected (a log should not fill with redraws). stdout stays reserved for the result.
/// </summary>
internal static class BulkProgress
{
    /// <summary>Runs <paramref name="work"/>, which reports how many items are done so far; <paramref name="total"/> null when unknown up front.</summary>
    public static async Task<long> RunAsync(CliConsole console, string description, long? total, Func<Action<long>, Task<long>> work)
    {
        var stopwatch = Stopwatch.StartNew();
        long done;
        if (console.ErrorIsTerminal)
        {
            done = await console.Status.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new RateColumn(), new ElapsedTimeColumn())
                .StartAsync(async progress =>
                {
                    var task = progress.AddTask(Markup.Escape(description), maxValue: Math.Max(1, total ?? 1));
                    task.IsIndeterminate = total is null;
                    var result = await work(count => task.Value = count).ConfigureAwait(false);
                    task.IsIndeterminate = false;
                    task.MaxValue = Math.Max(1, total ?? result);
                    task.Value = result;
                    return result;
                }).ConfigureAwait(false);
        }
        else
        {
            done = await work(_ => { }).ConfigureAwait(false);
            var seconds = stopwatch.Elapsed.TotalSeconds;
            var rate = seconds > 0 ? done / seconds : 0;
            console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{description}: {done} in {seconds:0.0} s ({rate:0}/s)"));
        }

        return done;
    }
}
