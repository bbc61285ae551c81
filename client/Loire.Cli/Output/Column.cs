namespace Loire.Cli.Output;

/// <summary>One column of a human table: its header and how a row shows in it.</summary>
internal sealed record Column<T>(string Header, Func<T, object?> Value);
