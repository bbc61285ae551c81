using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Loire.Storage.Redis.Tests;

/// <summary>
/// A private redis-server child process on a free loopback port, with AOF fsynced on every write, in its own temporary
/// directory. It can be killed (SIGKILL) and started again on the same port and directory. Disposing stops exactly the
/// process it started and deletes the directory.
/// </summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private Process? _process;

    /// <summary>The directory holding the AOF (and the log).</summary>
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "loire-redis-tests", Guid.NewGuid().ToString("N"));

    /// <summary>The loopback port the server listens on.</summary>
    public int Port { get; private set; }

    /// <summary>The configuration string for the store.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>PID of the redis-server this fixture started, while it runs.</summary>
    public int? ProcessId => _process is { HasExited: false } process ? process.Id : null;

    /// <summary>The flags the fixture starts redis-server with (apart from --port and --dir).</summary>
    public static readonly string[] DurableFlags =
        ["--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--daemonize", "no"];

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(DataDirectory);
        Port = FreePort();
        await StartAsync();
    }

    /// <summary>Starts redis-server on <see cref="Port"/> with <see cref="DataDirectory"/> and waits until it answers PING.</summary>
    public async Task StartAsync()
    {
        if (ProcessId is not null)
        {
            throw new InvalidOperationException("redis-server is already running.");
        }

        var info = new ProcessStartInfo(FindRedisServer())
        {
            UseShellExecute = false,
            RedirectStandardOutput = false,
            RedirectStandardError = false,
        };
        info.ArgumentList.Add("--port");
        info.ArgumentList.Add(Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var flag in DurableFlags)
        {
            info.ArgumentList.Add(flag);
        }

        info.ArgumentList.Add("--dir");
        info.ArgumentList.Add(DataDirectory);
        info.ArgumentList.Add("--logfile");
        info.ArgumentList.Add(Path.Combine(DataDirectory, "redis.log"));
        _process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start.");

        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with {_process.ExitCode}; see {DataDirectory}/redis.log");
            }

            if (await PingAsync())
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"redis-server on port {Port} did not answer PING within {StartTimeout}.");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Kills the server with SIGKILL (no shutdown, no save): what a crash of the Redis host looks like.</summary>
    public async Task KillAsync()
    {
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            await process.WaitForExitAsync();
            process.Dispose();
            _process = null;
        }
    }

    public async Task DisposeAsync()
    {
        await KillAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await client.ConnectAsync(IPAddress.Loopback, Port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, timeout.Token);
            // "-LOADING" while the AOF is replayed: not ready yet.
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception exception) when (exception is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    private static string FindRedisServer()
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (directory.Length > 0 && File.Exists(Path.Combine(directory, "redis-server")))
            {
                return Path.Combine(directory, "redis-server");
            }
        }

        throw new InvalidOperationException(
            "redis-server is not on PATH; install it (apt-get install redis-server, as test.sh's require_redis does).");
    }
}
