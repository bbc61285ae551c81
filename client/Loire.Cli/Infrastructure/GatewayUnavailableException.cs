namespace Loire.Cli.Infrastructure;

/// <summary>No gateway could be reached or none answered in time: exit code 5, so a script may retry later.</summary>
internal sealed class GatewayUnavailableException(string message, Exception? innerException = null) : Exception(message, innerException);
