using System.Globalization;

namespace Loire.LoadGen;

/// <summary>How consumers receive: a <see cref="Loire.Client.LoireProcessor"/> or a batch-receiving <see cref="Loire.Client.LoireReceiver"/>.</summary>
internal enum ConsumerKind
{
    Processor,
    Receiver,
}

/// <summary>Options of a load-generator invocation, parsed from <c>--name value</c> pairs (see README.md).</summary>
internal sealed record LoadOptions
{
    public string Gateway { get; init; } = "127.0.0.1:30000";
    public string Broker { get; init; } = "loire";
    public IReadOnlyList<Scenario> Scenarios { get; init; } =
        new[] { "durable-1p1c", "durable-4p4c", "publish-only", "fanout-10", "latency@2000" }.Select(Scenario.Parse).ToArray();
    public int Messages { get; init; } = 200_000;
    public int FanoutMessages { get; init; } = 50_000;
    public int Size { get; init; } = 1024;
    public int Batch { get; init; } = 1;
    public int Window { get; init; } = 1000;
    public int Prefetch { get; init; } = 500;
    public ConsumerKind Consumer { get; init; } = ConsumerKind.Receiver;
    public Loire.Client.LoireDeliveryMode Delivery { get; init; } = Loire.Client.LoireDeliveryMode.Push;
    public Uri? BrokerMetrics { get; init; }
    public int Concurrency { get; init; } = 250;
    public double LatencySeconds { get; init; } = 10;
    public double LatencyWarmUpSeconds { get; init; } = 1;
    public int Runs { get; init; } = 3;
    public double TimeoutSeconds { get; init; } = 600;
    public bool WarmUp { get; init; } = true;
    public bool Quiet { get; init; }
    public bool EarlyDelivery { get; init; }
    public int? BrokerPid { get; init; }
    public string? OutFile { get; init; }
    public double QuietPercent { get; init; } = 25;
    public double QuietWaitSeconds { get; init; } = 180;
    public double MaxOtherCpuPercent { get; init; } = 40;
    public double MaxStealPercent { get; init; } = 15;
    public int Retries { get; init; } = 3;

    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);

    /// <summary>Parses the options; throws <see cref="ArgumentException"/> naming the bad option.</summary>
    public static LoadOptions Parse(IReadOnlyList<string> args)
    {
        var options = new LoadOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            switch (name)
            {
                case "--quiet":
                    options = options with { Quiet = true };
                    continue;
                case "--no-warmup":
                    options = options with { WarmUp = false };
                    continue;
                case "--early-delivery":
                    options = options with { EarlyDelivery = true };
                    continue;
            }

            if (i + 1 >= args.Count)
            {
                throw new ArgumentException($"{name} needs a value.");
            }

            var value = args[++i];
            options = name switch
            {
                "--gateway" => options with { Gateway = value },
                "--name" => options with { Broker = value },
                "--scenarios" => options with { Scenarios = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Scenario.Parse).ToArray() },
                "--messages" => options with { Messages = Int(name, value, 1) },
                "--fanout-messages" => options with { FanoutMessages = Int(name, value, 1) },
                "--size" => options with { Size = Int(name, value, Payload.MinSize) },
                "--batch" => options with { Batch = Int(name, value, 1) },
                "--window" => options with { Window = Int(name, value, 1) },
                "--prefetch" => options with { Prefetch = Int(name, value, 1) },
                "--consumer" => options with { Consumer = Enum.TryParse<ConsumerKind>(value, ignoreCase: true, out var kind) ? kind : throw Bad(name, value, "processor or receiver") },
                "--delivery" => options with { Delivery = Enum.TryParse<Loire.Client.LoireDeliveryMode>(value, ignoreCase: true, out var delivery) && Enum.IsDefined(delivery) ? delivery : throw Bad(name, value, "push or longpoll") },
                "--broker-metrics" => options with { BrokerMetrics = Uri.TryCreate(value, UriKind.Absolute, out var uri) ? uri : throw Bad(name, value, "an absolute URL such as http://127.0.0.1:5180/metrics") },
                "--concurrency" => options with { Concurrency = Int(name, value, 1) },
                "--lat-secs" => options with { LatencySeconds = Number(name, value) },
                "--lat-warmup-secs" => options with { LatencyWarmUpSeconds = Number(name, value, allowZero: true) },
                "--runs" => options with { Runs = Int(name, value, 1) },
                "--timeout-secs" => options with { TimeoutSeconds = Number(name, value) },
                "--broker-pid" => options with { BrokerPid = value.Length == 0 ? null : Int(name, value, 1) },
                "--out" => options with { OutFile = value },
                "--quiet-pct" => options with { QuietPercent = Number(name, value, allowZero: true) },
                "--quiet-wait-secs" => options with { QuietWaitSeconds = Number(name, value, allowZero: true) },
                "--max-other-cpu" => options with { MaxOtherCpuPercent = Number(name, value, allowZero: true) },
                "--max-steal" => options with { MaxStealPercent = Number(name, value, allowZero: true) },
                "--retries" => options with { Retries = Int(name, value, 0) },
                _ => throw new ArgumentException($"Unknown option {name} (see loadtests/README.md)."),
            };
        }

        if (options.Scenarios.Count == 0)
        {
            throw new ArgumentException("--scenarios lists no scenario.");
        }

        return options;
    }

    private static int Int(string name, string value, int min) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number >= min
            ? number
            : throw Bad(name, value, $"an integer of at least {min}");

    private static double Number(string name, string value, bool allowZero = false) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && (number > 0 || (allowZero && number == 0))
            ? number
            : throw Bad(name, value, allowZero ? "a number of at least 0" : "a positive number");

    private static ArgumentException Bad(string name, string value, string expected) => new($"{name} '{value}': expected {expected}.");
}
