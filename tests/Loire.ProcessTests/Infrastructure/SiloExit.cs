namespace Loire.ProcessTests.Infrastructure;

/// <summary>How a silo process ended and what it wrote.</summary>
public sealed record SiloExit(int ExitCode, string Output);
