using System.Diagnostics;
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

    private readonly ITestOutputHelper? _log;
    private readonly string _root;
    private readonly ProcessOutput _output = new();
    private Process? _process;

    private AzuriteServer(ITestOutputHelper? log, string root, int port)
    {
        _log = log;
        _root = root;
        TablePort = port;
    }

    public int TablePort { get; }

    /// <summary>The connection string for <c>--azure-storage</c>: the table endpoint only, as Azurite runs no other service here.</summary>
    public string ConnectionString => ConnectionStringFor(TablePort);

    /// <summary>Process id of Azurite (node) itself.</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("Azurite was never started.");

    public string Output => _output.Text;

    /// <summary>A connection string to Azurite's account at <paramref name="tablePort"/>, where nothing need listen.</summary>
    public static string ConnectionStringFor(int tablePort, string accountKey = AccountKey) =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={accountKey};TableEndpoint=http://127.0.0.1:{tablePort}/{AccountName};";

    /// <summary>Installs Azurite when the cache lacks it, starts it and waits until its table port answers HTTP.</summary>
    public static async Task<AzuriteServer> StartAsync(ITestOutputHelper? log = null, CancellationToken cancellationToken = default)
    {
        var script = await AzuriteInstall.TableServiceScriptAsync(line => log?.WriteLine(line), cancellationToken);
        var root = Directory.CreateTempSubdirectory("loire-azurite-").FullName;
        var server = new AzuriteServer(log, root, FreePorts.Pick(1)[0]);
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

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _output.Mark($"azurite pid {_process.Id} stopped");
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

    private async Task LaunchAsync(string script, CancellationToken cancellationToken)
    {
        var node = ExecutableSearch.Find("node")
            ?? throw new InvalidOperationException("node is not installed (not found on PATH); Azurite needs it. Install it with 'apt-get install -y nodejs npm' (test.sh does this).");
        var info = new ProcessStartInfo(node)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _root,
        };
        string[] args =
        [
            script,
            "--tableHost", "127.0.0.1",
            "--tablePort", TablePort.ToString(),
            "--location", _root,
            "--skipApiVersionCheck",
            "--disableTelemetry",
            "--silent",
            "--loose",
        ];
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
        _output.Mark($"azurite pid {process.Id} table port {TablePort}");

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + ReadyTimeout;
        while (!await AnswersAsync(http, cancellationToken))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"Azurite exited with code {process.ExitCode} before it was ready.{Environment.NewLine}{Output}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Azurite's table port {TablePort} did not answer within {ReadyTimeout.TotalSeconds:0} s.{Environment.NewLine}{Output}");
            }

            await Task.Delay(50, cancellationToken);
        }

        _output.Mark($"azurite answered after {timer.Elapsed.TotalSeconds:0.00} s");
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

    private void WriteOutputToTestLog()
    {
        if (_log is null)
        {
            return;
        }

        try
        {
            _log.WriteLine($"azurite table port {TablePort}; dir {_root}");
            _log.WriteLine(Output);
        }
        catch (InvalidOperationException)
        {
            // The test has already finished; its log is closed.
        }
    }
}
