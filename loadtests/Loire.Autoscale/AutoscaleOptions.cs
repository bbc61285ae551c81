using System.Globalization;
using System.Reflection;

namespace Loire.Autoscale;

/// <summary>What one autoscale run does; parsed from --name value pairs.</summary>
internal sealed record AutoscaleOptions
{
    /// <summary>The Redis every silo shares (membership, grain state, messages); required.</summary>
    public string Redis { get; init; } = "";

    public int MinSilos { get; init; } = 1;

    public int MaxSilos { get; init; } = 3;

    /// <summary>Active messages one silo should carry: desired silos = ceil(depth / this).</summary>
    public int TargetPerSilo { get; init; } = 2_000;

    /// <summary>How often the controller reads the depth and decides.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Scale-in follows the highest recommendation of this trailing window (the HPA's stabilization window).</summary>
    public TimeSpan ScaleInStabilization { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>At most one silo is removed per this period.</summary>
    public TimeSpan ScaleInPeriod { get; init; } = TimeSpan.FromSeconds(10);

    public int Queues { get; init; } = 4;

    public string Prefix { get; init; } = "autoscale";

    /// <summary>Messages of the burst that builds the backlog.</summary>
    public int Messages { get; init; } = 20_000;

    /// <summary>The burst's total messages per second; 0 sends flat out. A paced burst lets the backlog, and the silos, grow in steps.</summary>
    public int SendRate { get; init; }

    /// <summary>Consumers' total messages per second: slower than the burst, so a backlog builds.</summary>
    public int ConsumeRate { get; init; } = 500;

    /// <summary>Messages per second sent after the burst until scale-in is over, so silos leave under traffic.</summary>
    public int TrickleRate { get; init; } = 20;

    /// <summary>The whole run fails when it takes longer.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);

    public string ClusterId { get; init; } = "loire-autoscale";

    public string SiloDll { get; init; } = DefaultSiloDll();

    /// <summary>Where silo data folders and logs go; a new temp folder when empty.</summary>
    public string WorkDirectory { get; init; } = "";

    public static AutoscaleOptions Parse(string[] args)
    {
        var options = new AutoscaleOptions();
        for (var i = 0; i < args.Length; i += 2)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            options = args[i] switch
            {
                "--redis" => options with { Redis = value },
                "--min" => options with { MinSilos = Positive(args[i], value) },
                "--max" => options with { MaxSilos = Positive(args[i], value) },
                "--target-per-silo" => options with { TargetPerSilo = Positive(args[i], value) },
                "--interval-ms" => options with { Interval = TimeSpan.FromMilliseconds(Positive(args[i], value)) },
                "--scale-in-stabilization-secs" => options with { ScaleInStabilization = TimeSpan.FromSeconds(Positive(args[i], value)) },
                "--scale-in-period-secs" => options with { ScaleInPeriod = TimeSpan.FromSeconds(Positive(args[i], value)) },
                "--queues" => options with { Queues = Positive(args[i], value) },
                "--prefix" => options with { Prefix = value },
                "--messages" => options with { Messages = Positive(args[i], value) },
                "--send-rate" => options with { SendRate = Positive(args[i], value) },
                "--consume-rate" => options with { ConsumeRate = Positive(args[i], value) },
                "--trickle-rate" => options with { TrickleRate = Positive(args[i], value) },
                "--timeout-secs" => options with { Timeout = TimeSpan.FromSeconds(Positive(args[i], value)) },
                "--cluster-id" => options with { ClusterId = value },
                "--silo-dll" => options with { SiloDll = value },
                "--work-dir" => options with { WorkDirectory = value },
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
        }

        if (options.Redis.Length == 0)
        {
            throw new ArgumentException("--redis HOST:PORT is required (e.g. redis-server --port 6390 --appendonly yes --appendfsync always --save \"\").");
        }

        if (options.MaxSilos < options.MinSilos)
        {
            throw new ArgumentException($"--max ({options.MaxSilos}) must not be below --min ({options.MinSilos}).");
        }

        return options;
    }

    public string QueueName(int index) => string.Create(CultureInfo.InvariantCulture, $"{Prefix}-{index}");

    private static string DefaultSiloDll() =>
        typeof(AutoscaleOptions).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == "LoireSiloDll")?.Value ?? "";

    private static int Positive(string flag, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
            ? number
            : throw new ArgumentException($"{flag} needs a positive whole number, not '{value}'.");
}
