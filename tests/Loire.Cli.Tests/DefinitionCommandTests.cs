using System.Text.Json;
using Loire.Cli.Tests.Infrastructure;

namespace Loire.Cli.Tests;

[Collection(SiloCollection.Name)]
public sealed class DefinitionCommandTests(SiloFixture silo)
{
    private readonly CliRunner _cli = new(silo.Gateway);

    [Fact]
    public async Task ExportThenImportUnderFreshNamesIsIdempotent()
    {
        var source = $"exp{Guid.NewGuid():N}"[..16] + "/";
        var target = $"imp{Guid.NewGuid():N}"[..16] + "/";
        await _cli.ExpectAsync(0, "queue", "create", source + "sink", "--max-delivery-count", "7", "--ttl", "1h");
        await _cli.ExpectAsync(0, "queue", "create", source + "relay", "--forward-to", source + "sink");
        await _cli.ExpectAsync(0, "topic", "create", source + "events", "--partitions", "2");
        await _cli.ExpectAsync(0, "subscription", "create", source + "events", "audit", "--sql", "prio > 3", "--rule-name", "high", "--lock-duration", "1m");
        await _cli.ExpectAsync(0, "rule", "create", source + "events", "audit", "eu", "--correlation-id", "c-1", "-p", "region=eu", "-p", "tier:int=2");
        await _cli.ExpectAsync(0, "subscription", "create", source + "events", "all");

        var export = await _cli.ExpectAsync(0, "export", "--prefix", source);
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, export.Out);
            var first = await _cli.ExpectAsync(0, "import", file, "--rename", $"{source}={target}", "--json");
            var outcomes = first.Json().EnumerateArray().ToList();
            Assert.Equal(8, outcomes.Count); // 2 queues, 1 topic, 2 subscriptions, 3 rules
            Assert.All(outcomes, o => Assert.Equal("created", o.GetProperty("result").GetString()));
            Assert.Contains("created 8, existing 0, failed 0", first.Error);

            var second = await _cli.ExpectAsync(0, "import", file, "--rename", $"{source}={target}");
            Assert.Contains("created 0, existing 8, failed 0", second.Error);
            Assert.Contains("existing", second.Out);
        }
        finally
        {
            File.Delete(file);
        }

        var copied = await _cli.ExpectAsync(0, "export", "--prefix", target);
        Assert.Equal(Normalize(export.Out.Replace(source, target)), Normalize(copied.Out));
        var relay = Assert.Single((await _cli.ExpectAsync(0, "queue", "list", "--prefix", target + "relay", "--json")).Json().EnumerateArray());
        Assert.Equal(target + "sink", relay.GetProperty("forwardTo").GetString());
    }

    [Fact]
    public async Task ImportReportsFailuresWithTheBrokersExitCode()
    {
        var prefix = $"bad{Guid.NewGuid():N}"[..16];
        var definitions = $$"""
            { "queues": [ { "name": "{{prefix}}-ok" }, { "name": "{{prefix}}-bad", "maxDeliveryCount": 0 } ], "topics": [] }
            """;
        var result = await _cli.RunWithInputAsync(definitions, "import", "-");
        Assert.Equal(4, result.ExitCode);
        Assert.Contains("created 1, existing 0, failed 1", result.Error);
        Assert.Equal(1, (await _cli.RunWithInputAsync("{ not json", "import", "-")).ExitCode);
        await _cli.ExpectAsync(1, "import", "/nonexistent/defs.json");
    }

    // Timestamps differ between the original and the copy; everything else must not.
    private static string Normalize(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);
}
