using System.Text.Json;

namespace Loire.Cli.Tests.Infrastructure;

/// <summary>What one <c>loire</c> run returned and wrote.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error)
{
    public JsonElement Json() => JsonDocument.Parse(Out).RootElement.Clone();

    public override string ToString() => $"exit {ExitCode}{Environment.NewLine}stdout:{Environment.NewLine}{Out}{Environment.NewLine}stderr:{Environment.NewLine}{Error}";
}
