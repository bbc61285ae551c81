using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Loire.ProcessTests.Infrastructure;

namespace Loire.Cli.Tests;

/// <summary>The built tool as a separate process: exit codes and streams as a script sees them.</summary>
public sealed class ExitCodeTests
{
    [Fact]
    public async Task ClosedGatewayPortExitsUnavailableWithinSeconds()
    {
        var port = ClosedPort();
        var stopwatch = Stopwatch.StartNew();
        var (exitCode, stdout, stderr) = await RunToolAsync(["queue", "list", "--gateway", $"127.0.0.1:{port}"]);
        stopwatch.Stop();
        Assert.True(exitCode == 5, $"exit {exitCode}; stdout {stdout}; stderr {stderr}");
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed.TotalSeconds:0.0} s");
        Assert.Empty(stdout);
        Assert.Contains("loire:", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public async Task UnknownFlagsAndBadValuesAreUsageErrors()
    {
        Assert.Equal(1, (await RunToolAsync(["queue", "list", "--no-such-flag"])).ExitCode);
        Assert.Equal(1, (await RunToolAsync(["receive", "q", "--mode", "sometimes"])).ExitCode);
        // Checked before any connection is made, so no broker is needed.
        Assert.Equal(1, (await RunToolAsync(["queue", "create", "q", "--ttl", "soon", "--gateway", $"127.0.0.1:{ClosedPort()}"])).ExitCode);
        Assert.Equal(1, (await RunToolAsync(["queue", "list", "--gateway", "not a gateway"])).ExitCode);
    }

    [Fact]
    public async Task GatewayComesFromTheEnvironment()
    {
        var port = ClosedPort();
        var (exitCode, _, stderr) = await RunToolAsync(["stats"], new Dictionary<string, string> { ["LOIRE_GATEWAY"] = $"127.0.0.1:{port}" });
        Assert.Equal(5, exitCode);
        Assert.Contains(port.ToString(), stderr);
    }

    [Fact]
    public async Task GatewaysComeFromAConnectionStringAndAMalformedOneIsAUsageError()
    {
        var port = ClosedPort();
        var fromEnvironment = await RunToolAsync(["stats"], new Dictionary<string, string>
        {
            ["LOIRE_CONNECTION_STRING"] = $"Endpoint=loire://127.0.0.1:{port};SharedAccessKeyName=app;SharedAccessKey=0123456789abcdef0123456789abcdef",
        });
        var malformed = await RunToolAsync(["queue", "list", "--connection-string", "Endpoint=loire://127.0.0.1:1;Passwd=x"]);

        Assert.Equal(5, fromEnvironment.ExitCode);
        Assert.Contains(port.ToString(), fromEnvironment.Stderr);
        Assert.Equal(1, malformed.ExitCode);
        Assert.Contains("unknown key 'Passwd'", malformed.Stderr);
    }

    private static int ClosedPort()
    {
        // Bound and released: nothing listens there, so connecting is refused at once.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunToolAsync(string[] args, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(SiloProcess.DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(CliDll());
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // The tool reads LOIRE_GATEWAY and friends; only what the test passes may count.
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("LOIRE_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var stdout = new ProcessOutput();
        var stderr = new ProcessOutput();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => stdout.Add("out", e.Data);
        process.ErrorDataReceived += (_, e) => stderr.Add("err", e.Data);
        var exitCode = await stdout.RunToExitAsync(process, TimeSpan.FromSeconds(60), "loire tool");
        return (exitCode, stdout.Text, stderr.Text);
    }

    private static string CliDll() =>
        typeof(ExitCodeTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "LoireCliDll").Value!;
}
