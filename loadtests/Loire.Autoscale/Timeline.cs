using System.Diagnostics;
using System.Globalization;

namespace Loire.Autoscale;

/// <summary>Prints the run as rows of time, depth, silos and event, on stdout, as they happen.</summary>
internal sealed class Timeline(TextWriter output)
{
    /// <summary>A row without an event is printed at least this often, and whenever depth or silos changed.</summary>
    private static readonly TimeSpan s_quietRow = TimeSpan.FromSeconds(5);

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _lastRow = TimeSpan.MinValue;
    private (long? Depth, int Silos) _last = (null, -1);

    public TimeSpan Now => _clock.Elapsed;

    public void Header() => output.WriteLine($"{"time",8}  {"depth",8}  {"silos",5}  event");

    /// <summary>One row: always with an event, else only when something changed or a while passed.</summary>
    public void Row(long? depth, int silos, string? happening = null)
    {
        var now = Now;
        if (happening is null && (depth, silos) == _last && now - _lastRow < s_quietRow)
        {
            return;
        }

        _last = (depth, silos);
        _lastRow = now;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{now.TotalSeconds,7:0.0}s  {(depth is { } d ? d.ToString(CultureInfo.InvariantCulture) : "?"),8}  {silos,5}  {happening}"));
        output.Flush();
    }

    public void Line(string text)
    {
        output.WriteLine(text);
        output.Flush();
    }
}
