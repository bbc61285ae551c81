using System.CommandLine;
using Loire.Client;

namespace Loire.Cli.Infrastructure;

/// <summary>What every command is built with: the console and the global options.</summary>
internal sealed class CliContext(CliConsole console)
{
    public CliConsole Console { get; } = console;

    public GlobalOptions Options { get; } = new();

    /// <summary>Makes <paramref name="body"/> the command's action, run with a broker connection and exit-code mapping.</summary>
    public void SetBrokerAction(Command command, Func<CommandRun, Task<int>> body) =>
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, body, cancellationToken));

    /// <summary>Like <see cref="SetBrokerAction(Command, Func{CommandRun, Task{int}})"/> for bodies that succeed or throw.</summary>
    public void SetBrokerAction(Command command, Func<CommandRun, Task> body) =>
        SetBrokerAction(command, async run =>
        {
            await body(run).ConfigureAwait(false);
            return ExitCodes.Ok;
        });

    private async Task<int> RunAsync(System.CommandLine.ParseResult parseResult, Func<CommandRun, Task<int>> body, CancellationToken cancellationToken)
    {
        try
        {
            await using var run = new CommandRun(this, parseResult, cancellationToken);
            return await body(run).ConfigureAwait(false);
        }
        catch (LoireException exception)
        {
            return Fail(ExitCodes.For(exception.Reason), Describe(exception));
        }
        catch (GatewayUnavailableException exception)
        {
            return Fail(ExitCodes.Unavailable, exception.Message);
        }
        catch (CliUsageException exception)
        {
            return Fail(ExitCodes.Usage, exception.Message);
        }
        catch (ArgumentException exception)
        {
            // The client rejects malformed gateways and options before any call.
            return Fail(ExitCodes.Usage, exception.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Fail(ExitCodes.Interrupted, "interrupted");
        }
        catch (IOException exception)
        {
            return Fail(ExitCodes.Usage, exception.Message);
        }
        catch (UnauthorizedAccessException exception)
        {
            return Fail(ExitCodes.Usage, exception.Message);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Whatever the client did not map is still a broker failure to a script; the type helps a bug report.
            return Fail(ExitCodes.BrokerError, $"{exception.GetType().Name}: {exception.Message}");
        }
    }

    private int Fail(int exitCode, string message)
    {
        Console.Error.WriteLine($"loire: {message}");
        return exitCode;
    }

    // The client's messages already name the reason and the entity.
    private static string Describe(LoireException exception) =>
        exception.Message.Contains(exception.Reason.ToString(), StringComparison.Ordinal)
            ? exception.Message
            : $"{exception.Message} ({exception.Reason})";
}
