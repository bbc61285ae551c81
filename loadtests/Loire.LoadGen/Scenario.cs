using System.Globalization;
using System.Text.RegularExpressions;

namespace Loire.LoadGen;

internal enum ScenarioKind
{
    /// <summary>Saturating producers and consumers on one queue.</summary>
    Throughput,

    /// <summary>A fixed total send rate; end-to-end latency percentiles.</summary>
    Latency,

    /// <summary>A backlog sent with no consumer, then drained by one.</summary>
    PublishThenDrain,

    /// <summary>One producer into a topic with N subscriptions, one consumer each.</summary>
    Fanout,
}

/// <summary>One scenario of the list: <c>durable-PpCc</c>, <c>latency@RATE</c>, <c>latency-PpCc@RATE</c>, <c>publish-only</c>, <c>fanout-N</c>.</summary>
internal sealed partial record Scenario(string Name, ScenarioKind Kind, int Producers = 1, int Consumers = 1, int Rate = 0, int Subscriptions = 0)
{
    public const string Grammar = "durable-PpCc, latency@RATE, latency-PpCc@RATE, publish-only, fanout-N";

    public static Scenario Parse(string name)
    {
        if (name == "publish-only")
        {
            return new Scenario(name, ScenarioKind.PublishThenDrain);
        }

        if (DurablePattern().Match(name) is { Success: true } durable)
        {
            return new Scenario(name, ScenarioKind.Throughput, Count(durable, "p"), Count(durable, "c"));
        }

        if (LatencyPattern().Match(name) is { Success: true } latency)
        {
            return new Scenario(name, ScenarioKind.Latency,
                latency.Groups["p"].Success ? Count(latency, "p") : 1,
                latency.Groups["c"].Success ? Count(latency, "c") : 1,
                Rate: Count(latency, "rate"));
        }

        if (FanoutPattern().Match(name) is { Success: true } fanout)
        {
            return new Scenario(name, ScenarioKind.Fanout, Subscriptions: Count(fanout, "n"));
        }

        throw new ArgumentException($"Unknown scenario '{name}'; expected one of: {Grammar}.");
    }

    private static int Count(Match match, string group)
    {
        var value = int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);
        return value is >= 1 and <= 1_000_000 ? value : throw new ArgumentException($"'{match.Value}': {value} is out of range (1 to 1000000).");
    }

    [GeneratedRegex(@"^durable-(?<p>\d+)p(?<c>\d+)c$")]
    private static partial Regex DurablePattern();

    [GeneratedRegex(@"^latency(-(?<p>\d+)p(?<c>\d+)c)?@(?<rate>\d+)$")]
    private static partial Regex LatencyPattern();

    [GeneratedRegex(@"^fanout-(?<n>\d+)$")]
    private static partial Regex FanoutPattern();
}
