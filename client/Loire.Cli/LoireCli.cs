using System.CommandLine;
using Loire.Cli.Commands;
using Loire.Cli.Infrastructure;

namespace Loire.Cli;

/// <summary>The <c>loire</c> tool: parses a command line and runs it against a console; tests call this in-process.</summary>
internal static class LoireCli
{
    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken = default)
    {
        var context = new CliContext(console);
        var root = CommandTree.Build(context);
        var parsed = root.Parse(args);
        var invocation = new InvocationConfiguration
        {
            Output = console.Out,
            Error = console.Error,
            // Commands map their own failures to exit codes; only a cancellation outside a command's try can get here.
            EnableDefaultExceptionHandler = true,
        };
        try
        {
            return await parsed.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await console.Out.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            await console.Error.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }
}
