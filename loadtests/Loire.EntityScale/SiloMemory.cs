using System.Globalization;

namespace Loire.EntityScale;

/// <summary>Resident memory of the silo process, read from /proc (Linux only).</summary>
internal sealed class SiloMemory(int? pid)
{
    /// <summary>Current resident set (VmRSS) and its peak so far (VmHWM), in MiB; null without a pid.</summary>
    public (double RssMiB, double PeakMiB)? Read()
    {
        if (pid is null)
        {
            return null;
        }

        double rss = double.NaN, peak = double.NaN;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line) / 1024;
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kilobytes(line) / 1024;
            }
        }

        return (rss, peak);
    }

    private static double Kilobytes(string line) =>
        double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
