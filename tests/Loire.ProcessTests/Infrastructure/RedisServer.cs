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

    private readonly ServerProcess _server;
    private readonly string _executable;

    private RedisServer(ServerProcess server, string executable, int port)
    {
        _server = server;
        _executable = executable;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The connection string for <c>--redis</c>.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>Process id of redis-server itself, started without a shell.</summary>
    public int ProcessId => _server.ProcessId;

    public string Output => _server.Output;

    /// <summary>Starts redis-server and waits until it accepts connections; fails clearly when it is not installed.</summary>
    public static async Task<RedisServer> StartAsync(ITestOutputHelper? log = null, CancellationToken cancellationToken = default)
    {
        var executable = ExecutableSearch.Find("redis-server")
            ?? throw new InvalidOperationException(
                "redis-server is not installed (not found on PATH); the cluster tests need it. Install it with "
                + "'apt-get install -y redis-server' (test.sh does this).");
        var root = Directory.CreateTempSubdirectory("loire-redis-").FullName;
        var server = new RedisServer(new ServerProcess("redis-server", log, root), executable, FreePorts.Pick(1)[0]);
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
    public Task KillAsync() => _server.KillAsync();

    /// <summary>Starts Redis again on the same port and folder; it replays its AOF before it answers PING.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await KillAsync();
        await LaunchAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private Task LaunchAsync(CancellationToken cancellationToken)
    {
        string[] args =
        [
            "--port", Port.ToString(),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "yes",
            "--appendfsync", "always",
            "--dir", _server.Root,
        ];
        return _server.StartAsync(_executable, args, $"port {Port}", AnswersPingAsync, ReadyTimeout, cancellationToken);
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
}
