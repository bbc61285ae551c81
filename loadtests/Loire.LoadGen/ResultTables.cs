using System.Globalization;

namespace Loire.LoadGen;

/// <summary>Markdown tables from result lines: the per-scenario summary and the Loire / RabbitMQ comparison.</summary>
internal static class ResultTables
{
    /// <summary>Median (min-max) per broker and scenario over the runs that did not fail.</summary>
    public static void PrintSummary(IEnumerable<string> lines, TextWriter output)
    {
        output.WriteLine("| broker | scenario | runs | rate msg/s | pub_rate msg/s | p50 ms | p99 ms | p99.9 ms | lost | broker CPU % | client CPU % |");
        output.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var group in Group(lines))
        {
            var runs = group.Runs;
            var latency = runs.Any(r => r.ContainsKey("p50_ms"));
            var noisy = runs.Count(r => r.ContainsKey("noisy"));
            output.WriteLine($"| {group.Broker} | {group.Label} | {runs.Count}{(noisy > 0 ? $" ({noisy} noisy)" : "")} | {Cell(runs, "rate", "F0")} | {Cell(runs, "pub_rate", "F0")} | " +
                $"{(latency ? Cell(runs, "p50_ms", "F2") : Queued(runs, "qlat_p50_ms"))} | {(latency ? Cell(runs, "p99_ms", "F2") : Queued(runs, "qlat_p99_ms"))} | " +
                $"{Cell(runs, "p999_ms", "F2")} | {Cell(runs, "lost", "F0")} | {Cell(runs, "broker_cpu_pct", "F0")} | {Cell(runs, "client_cpu_pct", "F0")} |");
        }
    }

    /// <summary>
    /// Loire's scenarios beside the matching RabbitMQ quorum and classic queue scenarios: throughput rows compare
    /// median rates (a ratio above 1 means Loire is faster), latency rows compare median p99 (above 1: Loire is slower).
    /// </summary>
    public static void PrintComparison(IEnumerable<string> loireLines, IEnumerable<string> rabbitLines, TextWriter output)
    {
        var rabbit = Group(rabbitLines).Where(g => g.Broker == "rabbitmq").ToDictionary(g => g.Scenario, g => g.Runs);
        output.WriteLine("| scenario | Loire | RabbitMQ quorum | RabbitMQ classic | ratio Loire/quorum | ratio Loire/classic |");
        output.WriteLine("|---|---|---|---|---|---|");
        foreach (var group in Group(loireLines))
        {
            var quorum = rabbit.GetValueOrDefault(RabbitScenario(group.Scenario, "quorum")) ?? [];
            var classic = rabbit.GetValueOrDefault(RabbitScenario(group.Scenario, "classic")) ?? [];
            if (group.Runs.Any(r => r.ContainsKey("p99_ms")))
            {
                output.WriteLine($"| {group.Label} (p50 / p99 ms; ratios of p99) | {Latency(group.Runs)} | {Latency(quorum)} | {Latency(classic)} | " +
                    $"{Ratio(group.Runs, quorum, "p99_ms")} | {Ratio(group.Runs, classic, "p99_ms")} |");
            }
            else
            {
                output.WriteLine($"| {group.Label} (msg/s) | {Cell(group.Runs, "rate", "F0")} | {Cell(quorum, "rate", "F0")} | {Cell(classic, "rate", "F0")} | " +
                    $"{Ratio(group.Runs, quorum, "rate")} | {Ratio(group.Runs, classic, "rate")} |");
            }
        }
    }

    /// <summary>The baseline's name for the RabbitMQ scenario that matches a Loire scenario.</summary>
    private static string RabbitScenario(string loireScenario, string queueType)
    {
        if (loireScenario is "publish-only" or "drain")
        {
            return $"{queueType}-{loireScenario}";
        }

        var scenario = Scenario.Parse(loireScenario);
        return scenario.Kind switch
        {
            ScenarioKind.Throughput => $"{queueType}-{scenario.Producers}p{scenario.Consumers}c-tput",
            ScenarioKind.Latency => $"{queueType}-{scenario.Producers}p{scenario.Consumers}c-lat",
            ScenarioKind.Fanout => $"{queueType}-fanout{scenario.Subscriptions}",
            _ => $"{queueType}-{loireScenario}",
        };
    }

    /// <summary>The fields of a <c>result ...</c> line; null for other lines.</summary>
    public static Dictionary<string, string>? Parse(string line)
    {
        if (!line.StartsWith("result ", StringComparison.Ordinal))
        {
            return null;
        }

        var fields = new Dictionary<string, string>();
        foreach (var token in line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            var equals = token.IndexOf('=');
            if (equals > 0)
            {
                fields[token[..equals]] = token[(equals + 1)..];
            }
        }

        return fields;
    }

    /// <summary>
    /// Result lines without an error, grouped by broker, scenario and entity setting (runs with early delivery are
    /// their own row, labelled so) in order of first appearance.
    /// </summary>
    private static IEnumerable<(string Broker, string Scenario, string Label, List<Dictionary<string, string>> Runs)> Group(IEnumerable<string> lines) =>
        lines.Select(Parse)
            .OfType<Dictionary<string, string>>()
            .Where(f => !f.ContainsKey("error"))
            .GroupBy(f => (Broker: f.GetValueOrDefault("broker", "?"), Scenario: f.GetValueOrDefault("scenario", "?"), Early: f.GetValueOrDefault("early") == "on"))
            .Select(g => (g.Key.Broker, g.Key.Scenario, g.Key.Early ? $"{g.Key.Scenario}, early delivery" : g.Key.Scenario, g.ToList()));

    private static List<double> Values(List<Dictionary<string, string>> runs, string key) =>
        runs.Select(r => r.TryGetValue(key, out var text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : double.NaN)
            .Where(v => !double.IsNaN(v))
            .Order()
            .ToList();

    private static double? Median(List<Dictionary<string, string>> runs, string key)
    {
        var values = Values(runs, key);
        return values.Count == 0 ? null : values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
    }

    private static string Cell(List<Dictionary<string, string>> runs, string key, string format)
    {
        var values = Values(runs, key);
        if (Median(runs, key) is not { } median)
        {
            return "";
        }

        var text = median.ToString(format, CultureInfo.InvariantCulture);
        return values.Count == 1 ? text : $"{text} ({values[0].ToString(format, CultureInfo.InvariantCulture)}-{values[^1].ToString(format, CultureInfo.InvariantCulture)})";
    }

    private static string Queued(List<Dictionary<string, string>> runs, string key) => Cell(runs, key, "F0") is { Length: > 0 } cell ? "(queued) " + cell : "";

    private static string Latency(List<Dictionary<string, string>> runs) =>
        Median(runs, "p50_ms") is { } p50 && Median(runs, "p99_ms") is { } p99 ? string.Create(CultureInfo.InvariantCulture, $"{p50:F2} / {p99:F2}") : "";

    private static string Ratio(List<Dictionary<string, string>> loire, List<Dictionary<string, string>> other, string key) =>
        Median(loire, key) is { } a && Median(other, key) is { } b && b > 0 ? string.Create(CultureInfo.InvariantCulture, $"{a / b:F2}x") : "";
}
