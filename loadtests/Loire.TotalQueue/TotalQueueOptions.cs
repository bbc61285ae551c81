using System.Globalization;
using System.Reflection;

namespace Loire.TotalQueue;

/// <summary>What one total-queue run does; parsed from --name value pairs.</summary>
internal sealed record TotalQueueOptions
{
    /// <summary>Rounds that kill -9 a random silo (and start it again).</summary>
    public int SiloRounds { get; init; } = 10;

    /// <summary>Rounds, after the silo rounds, that kill -9 Redis and start it again from its AOF.</summary>
    public int RedisRounds { get; init; } = 1;

    /// <summary>Steady load before each round's fault.</summary>
    public TimeSpan RoundLength { get; init; } = TimeSpan.FromSeconds(10);

    public int Silos { get; init; } = 3;

    public int Queues { get; init; } = 4;

    /// <summary>Subscriptions of the one topic; 0 runs no topic.</summary>
    public int Subscriptions { get; init; } = 2;

    /// <summary>Sends per second of each producer (one per queue, one for the topic).</summary>
    public int SendRate { get; init; } = 25;

    /// <summary>The client's OperationTimeout: how long a call stranded on a killed silo waits.</summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A round fails when sends and receives have not resumed everywhere this long after its fault.</summary>
    public TimeSpan RecoveryTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest final drain after the producers stop.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Seeds the choice of silos to kill; random when absent.</summary>
    public int Seed { get; init; } = Random.Shared.Next();

    public string RedisServer { get; init; } = "redis-server";

    public string SiloDll { get; init; } = DefaultSiloDll();

    /// <summary>Where Redis's AOF and the silo data folders and logs go; a new temp folder when empty.</summary>
    public string WorkDirectory { get; init; } = "";

    /// <summary>Also writes the JSON summary to this file.</summary>
    public string JsonPath { get; init; } = "";

    public const string Usage = "usage: Loire.TotalQueue [--rounds 10] [--redis-rounds 1] [--round-secs 10] [--silos 3] [--queues 4] "
        + "[--subscriptions 2] [--send-rate 25] [--operation-timeout-secs 5] [--recovery-timeout-secs 60] [--drain-secs 60] "
        + "[--seed N] [--redis-server PATH] [--silo-dll PATH] [--work-dir DIR] [--json FILE]; see loadtests/README.md";

    public static TotalQueueOptions Parse(string[] args)
    {
        var options = new TotalQueueOptions();
        for (var i = 0; i < args.Length; i += 2)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            options = args[i] switch
            {
                "--rounds" => options with { SiloRounds = Number(args[i], value, min: 0) },
                "--redis-rounds" => options with { RedisRounds = Number(args[i], value, min: 0) },
                "--round-secs" => options with { RoundLength = TimeSpan.FromSeconds(Number(args[i], value, min: 1)) },
                "--silos" => options with { Silos = Number(args[i], value, min: 2) },
                "--queues" => options with { Queues = Number(args[i], value, min: 0) },
                "--subscriptions" => options with { Subscriptions = Number(args[i], value, min: 0) },
                "--send-rate" => options with { SendRate = Number(args[i], value, min: 1) },
                "--operation-timeout-secs" => options with { OperationTimeout = TimeSpan.FromSeconds(Number(args[i], value, min: 1)) },
                "--recovery-timeout-secs" => options with { RecoveryTimeout = TimeSpan.FromSeconds(Number(args[i], value, min: 1)) },
                "--drain-secs" => options with { DrainTimeout = TimeSpan.FromSeconds(Number(args[i], value, min: 1)) },
                "--seed" => options with { Seed = Number(args[i], value, min: 0) },
                "--redis-server" => options with { RedisServer = value },
                "--silo-dll" => options with { SiloDll = value },
                "--work-dir" => options with { WorkDirectory = value },
                "--json" => options with { JsonPath = value },
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
        }

        if (options.Queues == 0 && options.Subscriptions == 0)
        {
            throw new ArgumentException("Nothing to test: --queues and --subscriptions are both 0.");
        }

        if (!File.Exists(options.SiloDll))
        {
            throw new ArgumentException($"No silo at '{options.SiloDll}': build silo/Loire.Silo, or pass --silo-dll.");
        }

        return options;
    }

    public static string QueueName(int index) => string.Create(CultureInfo.InvariantCulture, $"total-queue-{index}");

    public const string TopicName = "total-topic";

    public static string SubscriptionName(int index) => string.Create(CultureInfo.InvariantCulture, $"s{index}");

    private static string DefaultSiloDll() =>
        typeof(TotalQueueOptions).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == "LoireSiloDll")?.Value ?? "";

    private static int Number(string flag, string value, int min) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= min
            ? number
            : throw new ArgumentException($"{flag} needs a whole number of at least {min}, not '{value}'.");
}
