using System.Globalization;
using Loire.Cli.Infrastructure;

namespace Loire.Cli.Output;

/// <summary>How values read in a table cell: short, culture-free, "max" for the unbounded durations the broker uses as "never".</summary>
internal static class CellText
{
    public static string Format(object? value) => value switch
    {
        null => "",
        string text => text,
        TimeSpan span when span == TimeSpan.MaxValue => "max",
        TimeSpan span => Duration.Format(span),
        DateTimeOffset time when time == DateTimeOffset.MinValue || time == DateTimeOffset.MaxValue => "",
        DateTimeOffset time => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        bool flag => flag ? "yes" : "no",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
