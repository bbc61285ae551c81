using System.Diagnostics;
using System.Net.Sockets;
using Xunit.Abstractions;

namespace Loire.ProcessTests.Infrastructure;

/// <summary>
/// One <c>redis-server</c> child process on a free loopback port, configured as a Loire cluster needs it: every
/// write appended to the AOF and fsynced before Redis answers (<c>appendonly yes</c>, <c>appendfsync always</c>),
/// no RDB snapshots. <see cref="KillAsync"/> and <see cref="RestartAsync"/> simulate an outage on the same port and
/// data folder. Disposing kills it and deletes its folder.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    private readonly ITestOutputHelper? _log;
    private readonly string _root;
    private readonly ProcessOutput _output = new();
    private Process? _process;

    private readonly string _executable;

    private RedisServer(ITestOutputHelper? log, string executable, string root, int port)
    {
        _log = log;
        _executable = executable;
        _root = root;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The connection string for <c>--redis</c>.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>Process id of redis-server itself, started without a shell.</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("Redis was never started.");

    public string Output => _output.Text;

    /// <summary>Starts redis-server and waits until it accepts connections; fails clearly when it is not installed.</summary>
    public static async Task<RedisServer> StartAsync(ITestOutputHelper? log = null, CancellationToken cancellationToken = default)
    {
        var executable = ExecutableSearch.Find("redis-server")
            ?? throw new InvalidOperationException(
                "redis-server is not installed (not found on PATH); the cluster tests need it. Install it with "
                + "'apt-get install -y redis-server' (test.sh does this).");
        var root = Directory.CreateTempSubdirectory("loire-redis-").FullName;
        var server = new RedisServer(log, executable, root, FreePorts.Pick(1)[0]);
        try
        {
            await server.LaunchAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGKILL: Redis stops at once, keeping only what its AOF already holds.</summary>
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

        _output.Mark($"redis-server pid {_process.Id} killed");
        _process.Dispose();
        _process = null;
    }

    /// <summary>Starts Redis again on the same port and folder; it replays its AOF before it answers PING.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await KillAsync();
        await LaunchAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
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
        var info = new ProcessStartInfo(_executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _root,
        };
        string[] args =
        [
            "--port", Port.ToString(),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "yes",
            "--appendfsync", "always",
            "--dir", _root,
        ];
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => _output.Add("out", e.Data);
        process.ErrorDataReceived += (_, e) => _output.Add("err", e.Data);
        process.Start();
        _process = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _output.Mark($"redis-server pid {process.Id} port {Port}");

        var deadline = DateTime.UtcNow + ReadyTimeout;
        while (!await AnswersPingAsync(cancellationToken))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with code {process.ExitCode} before it was ready.{Environment.NewLine}{Output}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"redis-server did not answer PING within {ReadyTimeout.TotalSeconds:0} s.{Environment.NewLine}{Output}");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    private async Task<bool> AnswersPingAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port, cancellationToken);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, cancellationToken);
            return read > 0 && System.Text.Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private void WriteOutputToTestLog()
    {
        if (_log is null)
        {
            return;
        }

        try
        {
            _log.WriteLine($"redis port {Port}; dir {_root}");
            _log.WriteLine(Output);
        }
        catch (InvalidOperationException)
        {
            // The test has already finished; its log is closed.
        }
    }
}
