namespace Loire.Cli.Infrastructure;

/// <summary>A flag or input the parser accepted but the command cannot use (bad duration, missing file, malformed JSON): exit code 1.</summary>
internal sealed class CliUsageException(string message, Exception? innerException = null) : Exception(message, innerException);
