using Amqp;
using Amqp.Framing;
using Loire.Client;
using Loire.Client.Administration;
using Loire.ProcessTests.Infrastructure;

namespace Loire.ProcessTests.Amqp;

/// <summary>
/// One silo process with its AMQP 1.0 port on, shared by the AMQP tests (each uses its own entities), with a .NET
/// client on its gateway to check what AMQP clients did, and the other way round.
/// </summary>
public sealed class AmqpSilo : IAsyncLifetime
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly List<Connection> _connections = [];

    public SiloProcess Silo { get; private set; } = null!;

    public int AmqpPort { get; private set; }

    public LoireClient Client { get; private set; } = null!;

    public LoireAdministrationClient Admin { get; private set; } = null!;

    public string Url => $"amqp://127.0.0.1:{AmqpPort}";

    public async Task InitializeAsync()
    {
        (Silo, AmqpPort) = await StartAsync();
        Client = new LoireClient(Silo.Gateway);
        Admin = Client.CreateAdministrationClient();
    }

    /// <summary>A silo with <c>--amqp-port</c> on a free port.</summary>
    public static async Task<(SiloProcess Silo, int AmqpPort)> StartAsync(params string[] extraArgs)
    {
        var port = FreePorts.Pick(1)[0];
        using var timeout = new CancellationTokenSource(SiloProcess.ReadyTimeout);
        var silo = await SiloProcess.StartAsync(log: null, ["--amqp-port", port.ToString(), .. extraArgs], timeout.Token);
        return (silo, port);
    }

    public async Task DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.CloseAsync();
        }

        if (Client is not null)
        {
            await Client.DisposeAsync();
        }

        if (Silo is not null)
        {
            await Silo.DisposeAsync();
        }
    }

    /// <summary>An AMQPNetLite connection and session, closed with the fixture; <paramref name="userInfo"/> as <c>user:password</c> uses SASL PLAIN.</summary>
    public async Task<Session> OpenSessionAsync(string? userInfo = null)
    {
        var address = new Address(userInfo is null ? Url : $"amqp://{userInfo}@127.0.0.1:{AmqpPort}");
        var connection = await Connection.Factory.CreateAsync(address);
        _connections.Add(connection);
        return new Session(connection);
    }

    public async Task<string> CreateQueueAsync(string name, Action<CreateQueueOptions>? configure = null)
    {
        var options = new CreateQueueOptions(name);
        configure?.Invoke(options);
        await Admin.CreateQueueAsync(options);
        return name;
    }

    /// <summary>Completes with the error the link was closed with (null for a clean close).</summary>
    public static Task<Error?> ClosedAsync(Link link)
    {
        var closed = new TaskCompletionSource<Error?>(TaskCreationOptions.RunContinuationsAsynchronously);
        link.AddClosedCallback((_, error) => closed.TrySetResult(error));
        return closed.Task;
    }

    /// <summary>Polls until <paramref name="condition"/> holds, failing after <see cref="Wait"/>.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting until {what}.");
            await Task.Delay(50);
        }
    }
}
