namespace Loire.LoadGen;

/// <summary>What one load run does; parsed from --name value pairs.</summary>
internal sealed record LoadOptions
{
    public string Gateway { get; init; } = "127.0.0.1:30000";
    public string Scenario { get; init; } = "durable-1p1c";
    public int Messages { get; init; } = 20_000;
    public int Size { get; init; } = 1024;
    public int Producers { get; init; } = 1;
    public int Consumers { get; init; } = 1;
    public int Batch { get; init; } = 1;
    public int Window { get; init; } = 1000;
    public int ReceiveBatch { get; init; } = 500;
    public int Runs { get; init; } = 1;

    public static LoadOptions Parse(string[] args)
    {
        var options = new LoadOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            options = args[i] switch
            {
                "--gateway" => options with { Gateway = value },
                "--scenario" => options with { Scenario = value },
                "--messages" => options with { Messages = int.Parse(value) },
                "--size" => options with { Size = int.Parse(value) },
                "--producers" => options with { Producers = int.Parse(value) },
                "--consumers" => options with { Consumers = int.Parse(value) },
                "--batch" => options with { Batch = int.Parse(value) },
                "--window" => options with { Window = int.Parse(value) },
                "--receive-batch" => options with { ReceiveBatch = int.Parse(value) },
                "--runs" => options with { Runs = int.Parse(value) },
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
            i++;
        }

        return options;
    }
}
