using Azure.Data.Tables;
using Xunit.Abstractions;

namespace Loire.ProcessTests.Infrastructure;

/// <summary>
/// Azurite's table service as a child process (node, started without a shell so its pid is Azurite's own) on a free
/// loopback port, keeping its data in a temporary folder. Disposing kills it and deletes the folder.
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Azurite's one account and its published development key.</summary>
    public const string AccountName = "devstoreaccount1";

    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly ServerProcess _server;

    private AzuriteServer(ServerProcess server, int port)
    {
        _server = server;
        TablePort = port;
    }

    public int TablePort { get; }

    /// <summary>The connection string for <c>--azure-storage</c>: the table endpoint only, as Azurite runs no other service here.</summary>
    public string ConnectionString => ConnectionStringFor(TablePort);

    /// <summary>Process id of Azurite (node) itself.</summary>
    public int ProcessId => _server.ProcessId;

    public string Output => _server.Output;

    /// <summary>A connection string to Azurite's account at <paramref name="tablePort"/>, where nothing need listen.</summary>
    public static string ConnectionStringFor(int tablePort, string accountKey = AccountKey) =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={accountKey};TableEndpoint=http://127.0.0.1:{tablePort}/{AccountName};";

    /// <summary>Installs Azurite when the cache lacks it, starts it and waits until its table port answers HTTP.</summary>
    public static async Task<AzuriteServer> StartAsync(ITestOutputHelper? log = null, CancellationToken cancellationToken = default)
    {
        var script = await AzuriteInstall.TableServiceScriptAsync(line => log?.WriteLine(line), cancellationToken);
        var root = Directory.CreateTempSubdirectory("loire-azurite-").FullName;
        var server = new AzuriteServer(new ServerProcess("azurite", log, root), FreePorts.Pick(1)[0]);
        try
        {
            await server.LaunchAsync(script, cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Every entity of <paramref name="table"/>, read with the Azure Tables client.</summary>
    public async Task<IReadOnlyList<TableEntity>> ReadTableAsync(string table, CancellationToken cancellationToken)
    {
        var client = new TableServiceClient(ConnectionString).GetTableClient(table);
        var entities = new List<TableEntity>();
        await foreach (var entity in client.QueryAsync<TableEntity>(cancellationToken: cancellationToken))
        {
            entities.Add(entity);
        }

        return entities;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task LaunchAsync(string script, CancellationToken cancellationToken)
    {
        var node = ExecutableSearch.Find("node")
            ?? throw new InvalidOperationException("node is not installed (not found on PATH); Azurite needs it. Install it with 'apt-get install -y nodejs npm' (test.sh does this).");
        string[] args =
        [
            script,
            "--tableHost", "127.0.0.1",
            "--tablePort", TablePort.ToString(),
            "--location", _server.Root,
            "--skipApiVersionCheck",
            "--disableTelemetry",
            "--silent",
            "--loose",
        ];
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await _server.StartAsync(node, args, $"table port {TablePort}", ct => AnswersAsync(http, ct), ReadyTimeout, cancellationToken);
    }

    /// <summary>Any HTTP answer (an unauthenticated request gets an error status) means the table service listens.</summary>
    private async Task<bool> AnswersAsync(HttpClient http, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync($"http://127.0.0.1:{TablePort}/{AccountName}/Tables", cancellationToken);
            return true;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
