using System.Globalization;
using System.Text;

namespace Loire.LoadGen;

/// <summary>
/// One measured run as the baseline prints it: <c>result broker=... scenario=... run=N key=value ...</c>, with the
/// baseline's field names per scenario kind so its <c>summarize</c> reads these lines too.
/// </summary>
internal sealed class ResultLine(string broker, string scenario, int run)
{
    private readonly List<(string Key, string Value)> _fields = [];

    /// <summary>The run failed (error, timeout, lost messages); the invocation exits non-zero.</summary>
    public bool Failed { get; private set; }

    public ResultLine Add(string key, double value, string format = "F1")
    {
        _fields.Add((key, value.ToString(format, CultureInfo.InvariantCulture)));
        return this;
    }

    public ResultLine Add(string key, string value)
    {
        _fields.Add((key, value));
        return this;
    }

    public double? Get(string key) =>
        _fields.Where(f => f.Key == key).Select(f => (double?)double.Parse(f.Value, CultureInfo.InvariantCulture)).FirstOrDefault();

    public ResultLine Fail(string error)
    {
        Failed = true;
        return Add("error", "\"" + error.Replace('"', '\'').ReplaceLineEndings(" ") + "\"");
    }

    /// <summary>Adds the delivery counts; a run that lost messages fails.</summary>
    public ResultLine AddDeliveries(DeliveryTracker tracker)
    {
        Add("lost", tracker.Lost, "F0").Add("dup", tracker.Duplicates, "F0");
        return tracker.Lost > 0 ? Fail($"{tracker.Lost} of {tracker.Expected} messages were not delivered within the timeout") : this;
    }

    public override string ToString()
    {
        var line = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"result broker={broker} scenario={scenario} run={run}"));
        foreach (var (key, value) in _fields)
        {
            line.Append(' ').Append(key).Append('=').Append(value);
        }

        return line.ToString();
    }
}
