using System.Text;
using Loire.Cli.Infrastructure;

namespace Loire.Cli.Tests.Infrastructure;

/// <summary>Runs <c>loire</c> in-process through its entry point, with in-memory standard streams and no environment.</summary>
public sealed class CliRunner(string gateway)
{
    public Task<CliResult> RunAsync(params string[] args) => RunWithInputAsync(Array.Empty<byte>(), args);

    public Task<CliResult> RunWithInputAsync(string input, params string[] args) => RunWithInputAsync(Encoding.UTF8.GetBytes(input), args);

    public async Task<CliResult> RunWithInputAsync(byte[] input, params string[] args)
    {
        using var stdin = new MemoryStream(input);
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        var console = new CliConsole(stdin, stdout, stderr, _ => null);
        string[] full = ["--gateway", gateway, .. args];
        var exitCode = await LoireCli.RunAsync(full, console);
        return new CliResult(exitCode, Encoding.UTF8.GetString(stdout.ToArray()), Encoding.UTF8.GetString(stderr.ToArray()));
    }

    /// <summary>Runs and asserts the exit code, showing everything the run wrote when it differs.</summary>
    public async Task<CliResult> ExpectAsync(int exitCode, params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.ExitCode == exitCode, $"loire {string.Join(' ', args)}: expected exit {exitCode}, got {result}");
        return result;
    }
}
