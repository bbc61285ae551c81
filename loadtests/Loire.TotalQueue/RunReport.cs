using System.Globalization;
using System.Text.Json;

namespace Loire.TotalQueue;

/// <summary>Writes a run's summary as a per-round table and as one JSON line.</summary>
internal static class RunReport
{
    public const string JsonPrefix = "total-queue summary: ";

    public static string Json(RunSummary summary) => JsonSerializer.Serialize(summary);

    public static void WriteTable(TextWriter output, RunSummary summary)
    {
        output.WriteLine();
        output.WriteLine($"{"round",-6} {"fault",-26} {"acked",8} {"received",9} {"dups",6} {"lost",5} {"failed calls",12} {"recovery s",10} {"max send gap s",14}");
        foreach (var row in summary.Rounds)
        {
            var recovery = row.RecoverySeconds is { } seconds ? seconds.ToString("0.00", CultureInfo.InvariantCulture) : row.Recovered ? "-" : "NONE";
            output.WriteLine($"{row.Round,-6} {row.Fault,-26} {row.Acknowledged,8} {row.Received,9} {row.Duplicates,6} {row.Lost,5} {row.FailedCalls,12} {recovery,10} {row.LongestSendGapSeconds.ToString("0.00", CultureInfo.InvariantCulture),14}");
        }

        var max = summary.MaxRecoverySeconds is { } longest ? longest.ToString("0.00", CultureInfo.InvariantCulture) : "-";
        output.WriteLine($"{"total",-6} {"",-26} {summary.Acknowledged,8} {summary.Received,9} {summary.Duplicates,6} {summary.Lost,5} {"",12} {max,10}");
        output.WriteLine();
        output.WriteLine($"acked and received count copies (a topic publish is one per subscription); {summary.UnacknowledgedReceived} received "
            + $"whose send had failed (stored anyway, not a loss); failed calls: {summary.Failures}");
        foreach (var (destination, sample) in summary.LostSample)
        {
            output.WriteLine($"LOST on {destination}: indexes {string.Join(", ", sample)}");
        }

        output.WriteLine($"result: {summary.Result}");
    }
}
