using System.Globalization;

namespace Loire.EntityScale;

/// <summary>What one entity-scale run does; parsed from --name value pairs.</summary>
internal sealed record ScaleOptions
{
    public string Gateway { get; init; } = "127.0.0.1:30000";
    public int Queues { get; init; } = 1_000_000;
    public int Concurrency { get; init; } = 64;
    public int Sample { get; init; } = 1_000;
    public int Size { get; init; } = 1024;
    public string Prefix { get; init; } = "scale";
    public int? SiloPid { get; init; }

    /// <summary>Longest wait for idle deactivation before the cold receives; zero skips the wait.</summary>
    public TimeSpan IdleWait { get; init; } = TimeSpan.Zero;

    /// <summary>The silo's Prometheus endpoint; when set, the idle wait ends once the queue activations are gone.</summary>
    public Uri? MetricsUrl { get; init; }

    public bool Delete { get; init; }
    public int Seed { get; init; } = 1;

    public static ScaleOptions Parse(string[] args)
    {
        var options = new ScaleOptions();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--delete")
            {
                options = options with { Delete = true };
                continue;
            }

            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            options = args[i] switch
            {
                "--gateway" => options with { Gateway = value },
                "--queues" => options with { Queues = Positive(args[i], value) },
                "--concurrency" => options with { Concurrency = Positive(args[i], value) },
                "--sample" => options with { Sample = Positive(args[i], value) },
                "--size" => options with { Size = Positive(args[i], value) },
                "--prefix" => options with { Prefix = value },
                "--silo-pid" => options with { SiloPid = Positive(args[i], value) },
                "--idle-wait" => options with { IdleWait = TimeSpan.FromSeconds(Positive(args[i], value)) },
                "--metrics-url" => options with { MetricsUrl = new Uri(value) },
                "--seed" => options with { Seed = Positive(args[i], value) },
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
            i++;
        }

        return options with { Sample = Math.Min(options.Sample, options.Queues) };
    }

    public string QueueName(int index) => string.Create(CultureInfo.InvariantCulture, $"{Prefix}-{index:D7}");

    private static int Positive(string flag, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
            ? number
            : throw new ArgumentException($"{flag} needs a positive whole number, not '{value}'.");
}
