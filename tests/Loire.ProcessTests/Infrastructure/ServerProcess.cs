using System.Diagnostics;
using Xunit.Abstractions;

namespace Loire.ProcessTests.Infrastructure;

/// <summary>
/// A server the tests run as a child process, started without a shell so that its pid is the server's own, in a
/// temporary folder of its own. Keeps its output; disposing kills it by that pid, writes the output to the test log
/// and deletes the folder. <see cref="RedisServer"/> and <see cref="AzuriteServer"/> add their flags and readiness check.
/// </summary>
public sealed class ServerProcess(string name, ITestOutputHelper? log, string root) : IAsyncDisposable
{
    private readonly ProcessOutput _output = new();
    private Process? _process;

    /// <summary>The server's own folder, deleted on dispose.</summary>
    public string Root => root;

    public int ProcessId => _process?.Id ?? throw new InvalidOperationException($"{name} was never started.");

    public string Output => _output.Text;

    /// <summary>
    /// Starts <paramref name="executable"/> in <see cref="Root"/> and polls <paramref name="answers"/> until it is
    /// true; throws, with the output so far, when the server exits first or <paramref name="readyTimeout"/> passes.
    /// </summary>
    public async Task StartAsync(
        string executable, IEnumerable<string> args, string note, Func<CancellationToken, Task<bool>> answers, TimeSpan readyTimeout, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var timer = Stopwatch.StartNew();
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => _output.Add("out", e.Data);
        process.ErrorDataReceived += (_, e) => _output.Add("err", e.Data);
        process.Start();
        _process = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _output.Mark($"{name} pid {process.Id} {note}");

        var deadline = DateTime.UtcNow + readyTimeout;
        while (!await answers(cancellationToken))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited with code {process.ExitCode} before it was ready.{Environment.NewLine}{Output}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{name} did not answer within {readyTimeout.TotalSeconds:0} s.{Environment.NewLine}{Output}");
            }

            await Task.Delay(50, cancellationToken);
        }

        _output.Mark($"{name} answered after {timer.Elapsed.TotalSeconds:0.00} s");
    }

    /// <summary>SIGKILL by the server's own pid; a no-op when it is not running.</summary>
    public async Task KillAsync()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _output.Mark($"{name} pid {_process.Id} killed");
        _process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        TestLog.Write(log, $"{name} in {root}", Output);
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is not worth failing a test over.
        }
    }
}
