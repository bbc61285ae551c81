using System.Diagnostics;
using System.Reflection;
using Xunit.Abstractions;

namespace Loire.ProcessTests.Infrastructure;

/// <summary>
/// One <c>Loire.Silo</c> child process on free loopback ports and its own temporary data folder, which survive
/// restarts. Disposing kills the process if it still runs, then deletes the folder.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    public const string ReadyPrefix = "Loire silo ready";

    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    private const string SiloDllVariable = "LOIRE_TEST_SILO_DLL";

    private readonly ITestOutputHelper? _log;
    private readonly string _root;
    private readonly ProcessOutput _output = new();
    private readonly string[] _extraArgs;
    private Process? _process;
    private int _launches;

    private SiloProcess(ITestOutputHelper? log, string root, int[] ports, IEnumerable<string>? extraArgs)
    {
        _log = log;
        _root = root;
        _extraArgs = extraArgs?.ToArray() ?? [];
        DataDirectory = Path.Combine(root, "data");
        SiloPort = ports[0];
        GatewayPort = ports[1];
        HttpPort = ports[2];
    }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    public int HttpPort { get; }

    public string DataDirectory { get; }

    /// <summary>The client connection string of this silo's gateway.</summary>
    public string Gateway => $"127.0.0.1:{GatewayPort}";

    public Uri HttpAddress => new($"http://127.0.0.1:{HttpPort}/");

    /// <summary>Process id of the running silo (the dotnet host itself, started without a shell).</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("The silo was never started.");

    /// <summary>stdout and stderr of every run so far.</summary>
    public string Output => _output.Text;

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts a silo and waits for its ready line.</summary>
    public static Task<SiloProcess> StartAsync(ITestOutputHelper? log = null, CancellationToken cancellationToken = default) =>
        StartAsync(log, extraArgs: null, cancellationToken);

    /// <summary>Starts a silo with flags added to its ports and data folder (e.g. <c>--cluster redis</c>) and waits for its ready line.</summary>
    public static async Task<SiloProcess> StartAsync(ITestOutputHelper? log, IEnumerable<string>? extraArgs, CancellationToken cancellationToken = default)
    {
        var root = Directory.CreateTempSubdirectory("loire-silo-").FullName;
        var silo = new SiloProcess(log, root, FreePorts.Pick(3), extraArgs);
        try
        {
            await silo.LaunchAsync(cancellationToken);
            return silo;
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs the silo with exactly <paramref name="args"/> and waits for it to exit by itself.</summary>
    public static async Task<SiloExit> RunToExitAsync(IEnumerable<string> args, TimeSpan timeout)
    {
        var output = new ProcessOutput();
        using var process = CreateProcess(args, Path.GetTempPath(), output);
        var exitCode = await output.RunToExitAsync(process, timeout, "silo");
        return new SiloExit(exitCode, output.Text);
    }

    /// <summary>Starts the silo again on the same ports and data folder; it must not be running.</summary>
    public Task RestartAsync(CancellationToken cancellationToken = default)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("The silo is still running; kill or stop it first.");
        }

        return LaunchAsync(cancellationToken);
    }

    /// <summary>SIGKILL: the silo gets no chance to deactivate grains or flush anything.</summary>
    public async Task KillAsync()
    {
        var process = RunningProcess();
        _output.Mark($"SIGKILL {process.Id}");
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, then waits for the exit; returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        var process = RunningProcess();
        _output.Mark($"SIGTERM {process.Id}");
        PosixSignals.Terminate(process.Id);
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The silo did not exit within {timeout.TotalSeconds:0} s of SIGTERM.{Environment.NewLine}{Output}");
        }

        // WaitForExitAsync also waits for the output pipes to close, so every line is in Output now.
        return process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
            _process = null;
        }

        WriteOutputToTestLog();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is not worth failing a test over.
        }
    }

    private async Task LaunchAsync(CancellationToken cancellationToken)
    {
        _process?.Dispose();
        _process = null;
        _launches++;
        _output.Mark($"launch {_launches}");
        string[] args =
        [
            "--data-dir", DataDirectory,
            "--silo-port", SiloPort.ToString(),
            "--gateway-port", GatewayPort.ToString(),
            "--http-port", HttpPort.ToString(),
            .. _extraArgs,
        ];
        var ready = _output.WhenLineStartsWith(ReadyPrefix);
        var process = CreateProcess(args, _root, _output);
        process.Start();
        _process = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var waitCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var exited = process.WaitForExitAsync(waitCancellation.Token);
        var timedOut = Task.Delay(ReadyTimeout, waitCancellation.Token);
        var first = await Task.WhenAny(ready, exited, timedOut);
        await waitCancellation.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
        if (first == exited)
        {
            throw new InvalidOperationException($"The silo exited with code {process.ExitCode} before it was ready.{Environment.NewLine}{Output}");
        }

        if (first == timedOut)
        {
            throw new TimeoutException($"The silo printed no '{ReadyPrefix}' line within {ReadyTimeout.TotalSeconds:0} s.{Environment.NewLine}{Output}");
        }
    }

    private Process RunningProcess() =>
        _process is { HasExited: false } process ? process : throw new InvalidOperationException("The silo is not running.");

    private static Process CreateProcess(IEnumerable<string> args, string workingDirectory, ProcessOutput output)
    {
        // Start the dotnet host directly, not through a shell, so Process.Id is the silo's own pid.
        var info = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        info.ArgumentList.Add(SiloDll());
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // The silo reads LOIRE_* variables as settings; the test's flags alone must decide.
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("LOIRE_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(name);
        }

        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => output.Add("out", e.Data);
        process.ErrorDataReceived += (_, e) => output.Add("err", e.Data);
        return process;
    }

    internal static string DotnetHost() => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    private static string SiloDll()
    {
        var path = Environment.GetEnvironmentVariable(SiloDllVariable)
            ?? typeof(SiloProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "LoireSiloDll").Value!;
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"No silo at {path}: build silo/Loire.Silo in the same configuration, or set {SiloDllVariable}.", path);
    }

    private void WriteOutputToTestLog() =>
        TestLog.Write(_log, $"silo ports: silo {SiloPort}, gateway {GatewayPort}, http {HttpPort}; data {DataDirectory}", Output);
}
