using System.CommandLine;
using Loire.Cli.Output;
using Loire.Client;
using Loire.Client.Administration;
using Loire.Client.Security;

namespace Loire.Cli.Infrastructure;

/// <summary>One command's run: its parsed flags, the broker connection (opened on first use) and its output.</summary>
internal sealed class CommandRun : IAsyncDisposable
{
    private readonly CliContext _context;
    private LoireClient? _client;

    public CommandRun(CliContext context, ParseResult parseResult, CancellationToken cancellationToken)
    {
        _context = context;
        ParseResult = parseResult;
        CancellationToken = cancellationToken;
        Timeout = TimeSpan.FromSeconds(parseResult.GetValue(context.Options.Timeout));
        if (Timeout < TimeSpan.FromSeconds(1))
        {
            throw new CliUsageException("--timeout must be at least 1 second.");
        }

        Output = new ResultWriter(context.Console, parseResult.GetValue(context.Options.Json));
    }

    public ParseResult ParseResult { get; }

    public CancellationToken CancellationToken { get; }

    public TimeSpan Timeout { get; }

    public CliConsole Console => _context.Console;

    public ResultWriter Output { get; }

    public T Get<T>(Option<T> option) => ParseResult.GetValue(option)!;

    public T Get<T>(Argument<T> argument) => ParseResult.GetValue(argument)!;

    /// <summary>The connected client; connecting is bounded by <see cref="Timeout"/> so an unreachable gateway fails fast.</summary>
    public async Task<LoireClient> ClientAsync()
    {
        if (_client is not null)
        {
            return _client;
        }

        var client = new LoireClient(ClientOptions());
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(CancellationToken);
        deadline.CancelAfter(Timeout);
        try
        {
            await client.ConnectAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!CancellationToken.IsCancellationRequested)
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw new GatewayUnavailableException($"No gateway of {GatewayList()} answered within {Timeout.TotalSeconds:0.#} s.");
        }
        catch (LoireException exception) when (exception.IsTransient)
        {
            await client.DisposeAsync().ConfigureAwait(false);
            // The client's message does not say which gateways it tried; an operator with a wrong LOIRE_GATEWAY needs to see it.
            throw new GatewayUnavailableException($"Cannot reach the cluster through {GatewayList()}: {exception.Message}", exception);
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        _client = client;
        return client;
    }

    public async Task<LoireAdministrationClient> AdminAsync() => (await ClientAsync().ConfigureAwait(false)).CreateAdministrationClient();

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The connection string from <c>--connection-string</c> or the environment, parsed; null without one.</summary>
    public LoireConnectionString? ConnectionStringSettings() => ConnectionString() is { } text ? ParseConnectionString(text) : null;

    private string? ConnectionString() =>
        Get(_context.Options.ConnectionString) ?? Console.Environment(GlobalOptions.ConnectionStringVariable);

    private string GatewayList() => ConnectionString() is { } connectionString
        ? string.Join(";", ParseConnectionString(connectionString).Gateways)
        : Get(_context.Options.Gateway) ?? Console.Environment(GlobalOptions.GatewayVariable) ?? GlobalOptions.DefaultGateway;

    private LoireClientOptions ClientOptions()
    {
        var options = ConnectionString() is { } connectionString ? ParseConnectionString(connectionString).ToClientOptions() : new LoireClientOptions();
        options.ClusterId = Get(_context.Options.ClusterId) ?? Console.Environment(GlobalOptions.ClusterIdVariable) ?? options.ClusterId;
        options.ServiceId = Get(_context.Options.ServiceId) ?? Console.Environment(GlobalOptions.ServiceIdVariable) ?? options.ServiceId;
        options.OperationTimeout = Timeout;
        // An operator at a prompt wants an answer, not a minute of silent retries: retry briefly, then report.
        options.Retry = new LoireRetryOptions { MaxRetries = 2, Delay = TimeSpan.FromMilliseconds(200), MaxDelay = TimeSpan.FromSeconds(1) };
        if (options.Gateways.Count == 0)
        {
            options.Gateways.Add(GatewayList());
        }

        return options;
    }

    private static LoireConnectionString ParseConnectionString(string connectionString)
    {
        try
        {
            return LoireConnectionString.Parse(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new CliUsageException(e.Message, e);
        }
    }
}
