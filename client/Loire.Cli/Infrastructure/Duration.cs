using System.Globalization;

namespace Loire.Cli.Infrastructure;

/// <summary>Durations as operators type them: <c>30s</c>, <c>5m</c>, <c>1h</c>, <c>7d</c>, <c>250ms</c>, <c>max</c>, or <c>d.hh:mm:ss</c>.</summary>
internal static class Duration
{
    public static TimeSpan Parse(string text, string flag)
    {
        var value = text.Trim();
        if (value.Equals("max", StringComparison.OrdinalIgnoreCase) || value.Equals("infinite", StringComparison.OrdinalIgnoreCase))
        {
            return TimeSpan.MaxValue;
        }

        (string Suffix, double Seconds)[] units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)];
        foreach (var (suffix, seconds) in units)
        {
            if (value.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(value[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount)
                && amount >= 0)
            {
                return TimeSpan.FromSeconds(amount * seconds);
            }
        }

        return TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero
            ? span
            : throw new CliUsageException($"{flag}: '{text}' is not a duration (30s, 5m, 1h, 7d, 250ms, max or d.hh:mm:ss).");
    }

    public static string Format(TimeSpan span)
    {
        if (span == TimeSpan.MaxValue)
        {
            return "max";
        }

        if (span.Ticks % TimeSpan.TicksPerDay == 0 && span.Ticks > 0)
        {
            return $"{span.Ticks / TimeSpan.TicksPerDay}d";
        }

        if (span.Ticks % TimeSpan.TicksPerHour == 0 && span.Ticks > 0)
        {
            return $"{span.Ticks / TimeSpan.TicksPerHour}h";
        }

        if (span.Ticks % TimeSpan.TicksPerMinute == 0 && span.Ticks > 0)
        {
            return $"{span.Ticks / TimeSpan.TicksPerMinute}m";
        }

        return span.Ticks % TimeSpan.TicksPerSecond == 0
            ? $"{span.Ticks / TimeSpan.TicksPerSecond}s"
            : $"{span.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture)}ms";
    }
}
