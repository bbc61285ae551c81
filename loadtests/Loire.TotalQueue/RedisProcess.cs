using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Loire.LoadTests;

namespace Loire.TotalQueue;

/// <summary>
/// The run's own redis-server on a free loopback port, set up as a Loire cluster needs it: every write appended to the
/// AOF and fsynced before Redis answers, no RDB snapshots. So a kill -9 and a restart on the same folder keep every
/// write Redis acknowledged. Stopped by its own pid.
/// </summary>
internal sealed class RedisProcess : IAsyncDisposable
{
    private static readonly TimeSpan s_readyTimeout = TimeSpan.FromSeconds(30);

    private readonly string _executable;
    private readonly string _directory;
    private Process? _process;

    private RedisProcess(string executable, string directory, int port)
    {
        _executable = executable;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The connection string for the silos' <c>--redis</c>.</summary>
    public string Configuration => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    public int ProcessId => _process?.Id ?? 0;

    public static async Task<RedisProcess> StartAsync(string executable, string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var redis = new RedisProcess(executable, directory, SiloFleet.PickFreePorts(1)[0]);
        await redis.LaunchAsync(cancellationToken);
        return redis;
    }

    /// <summary>SIGKILL: Redis stops at once, keeping only what its AOF holds.</summary>
    public async Task KillAsync()
    {
        if (_process is { } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
            _process = null;
        }
    }

    /// <summary>Starts Redis again on the same port and folder; returns once it answers PING (its AOF replayed).</summary>
    public Task RestartAsync(CancellationToken cancellationToken) => LaunchAsync(cancellationToken);

    public ValueTask DisposeAsync() => new(KillAsync());

    private async Task LaunchAsync(CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(_executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _directory,
        };
        foreach (var arg in new[]
        {
            "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "yes", "--appendfsync", "always", "--dir", _directory, "--logfile", "redis.log",
        })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"{_executable} did not start.");
        _process = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var timer = Stopwatch.StartNew();
        while (!await AnswersPingAsync(cancellationToken))
        {
            if (process.HasExited || timer.Elapsed > s_readyTimeout)
            {
                throw new InvalidOperationException(
                    $"redis-server on port {Port} {(process.HasExited ? "exited" : "did not answer")}; see {Path.Combine(_directory, "redis.log")}.");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    private async Task<bool> AnswersPingAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, cancellationToken);
            // While it loads the AOF, Redis answers -LOADING instead.
            return read > 0 && Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception exception) when (exception is SocketException or IOException)
        {
            return false;
        }
    }
}
