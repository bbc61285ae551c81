namespace Loire.Cli.Commands.Definitions;

/// <summary>What <c>loire import</c> did with one entity or rule: <c>created</c>, <c>existing</c> (left as it is) or <c>failed</c>.</summary>
internal sealed record ImportOutcome(string Kind, string Path, string Result, string? Detail = null, int ExitCode = 0);
