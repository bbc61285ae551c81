using Loire.Client;
using Loire.ProcessTests.Infrastructure;
using Xunit.Abstractions;

namespace Loire.ProcessTests;

/// <summary>
/// A single silo with <c>--grain-storage azure</c> against a real Azurite; the cluster case is in
/// <see cref="ClusterTests"/>.
/// </summary>
[Collection(SiloProcessCollection.Name)]
public sealed class AzureGrainStorageTests(ITestOutputHelper log)
{
    private static readonly TimeSpan s_testTimeout = TimeSpan.FromMinutes(4);

    private static readonly TimeSpan s_exitTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AutoDeletingQueueIsDeletedByANewSiloProcessReadingTheIndexFromAzure()
    {
        using var timeout = new CancellationTokenSource(s_testTimeout);
        var ct = timeout.Token;
        await using var azurite = await AzuriteServer.StartAsync(log, ct);
        await using var silo = await SiloProcess.StartAsync(log, ["--grain-storage", "azure", "--azure-storage", azurite.ConnectionString], ct);
        Assert.Contains($"in azure table {IdleQueuePair.AzureGrainStateTable} at http://127.0.0.1:{azurite.TablePort}/", silo.Output);
        Assert.DoesNotContain(AzuriteServer.AccountKey, silo.Output);

        DateTimeOffset lastUse;
        await using (var client = new LoireClient(silo.Gateway))
        {
            lastUse = await IdleQueuePair.CreateAsync(client, ct);
        }

        await IdleQueuePair.AssertIndexedInAzureAsync(azurite, ct);

        // A new process on the same data folder and table: only the table tells it that the queue auto-deletes.
        await silo.KillAsync();
        await silo.RestartAsync(ct);
        await using var reconnected = new LoireClient(silo.Gateway);
        await IdleQueuePair.AssertEphemeralDeletedAsync(reconnected, lastUse, silo, ct);
    }

    [Fact]
    public async Task SiloExitsWithClearErrorWhenAzureStorageIsDownAtStart()
    {
        var port = FreePorts.Pick(1)[0];
        var down = await RunToExitWithAzureAsync(AzuriteServer.ConnectionStringFor(port));
        Assert.True(down.ExitCode == 1, $"Exit code {down.ExitCode} with nothing at port {port}:{Environment.NewLine}{down.Output}");
        Assert.Contains($"Cannot start: Orleans grain state cannot be kept in azure table {IdleQueuePair.AzureGrainStateTable} at http://127.0.0.1:{port}/", down.Output);
        Assert.Contains("Connection refused", down.Output);
    }

    [Fact]
    public async Task SiloExitsWithClearErrorWhenAzureRefusesTheAccountKey()
    {
        using var timeout = new CancellationTokenSource(s_testTimeout);
        await using var azurite = await AzuriteServer.StartAsync(log, timeout.Token);
        var wrongKey = Convert.ToBase64String(new byte[64]);
        var refused = await RunToExitWithAzureAsync(AzuriteServer.ConnectionStringFor(azurite.TablePort, wrongKey));
        Assert.True(refused.ExitCode == 1, $"Exit code {refused.ExitCode} with a wrong key:{Environment.NewLine}{refused.Output}");
        Assert.Contains("HTTP 403", refused.Output);
        Assert.DoesNotContain(wrongKey, refused.Output);
    }

    [Fact]
    public async Task BadGrainStorageSettingsExitWithCode2NamingTheFlag()
    {
        await AssertRejectedAsync(["--grain-storage", "azure"], "--azure-storage (LOIRE_AzureStorage) is required with --grain-storage azure");
        await AssertRejectedAsync(["--grain-storage", "blob"], "invalid value 'blob' for --grain-storage (LOIRE_GrainStorage): expected embedded or redis or azure");
        await AssertRejectedAsync(["--grain-storage", "redis"], "--redis (LOIRE_Redis) is required with --grain-storage redis");
        await AssertRejectedAsync(
            ["--cluster", "redis", "--redis", "127.0.0.1:6379", "--grain-storage", "embedded"],
            "--grain-storage (LOIRE_GrainStorage) embedded needs --cluster localhost");

        // Malformed: a pasted key alone, and a key that is not base64. Neither message repeats the secret.
        var pastedKey = await AssertRejectedAsync(["--grain-storage", "azure", "--azure-storage", AzuriteServer.AccountKey], "invalid value for --azure-storage (LOIRE_AzureStorage)");
        Assert.DoesNotContain(AzuriteServer.AccountKey, pastedKey.Output);
        var notBase64 = AzuriteServer.ConnectionStringFor(10002, accountKey: "not-a-key!");
        await AssertRejectedAsync(["--grain-storage", "azure", "--azure-storage", notBase64], "invalid value for --azure-storage (LOIRE_AzureStorage): The input is not a valid Base-64 string");
    }

    /// <summary>Runs a single silo with grain state in Azure until it exits by itself, in a data folder deleted after.</summary>
    private static async Task<SiloExit> RunToExitWithAzureAsync(string connectionString)
    {
        var data = Directory.CreateTempSubdirectory("loire-azure-");
        try
        {
            var ports = FreePorts.Pick(3);
            string[] args =
            [
                "--data-dir", data.FullName,
                "--silo-port", ports[0].ToString(),
                "--gateway-port", ports[1].ToString(),
                "--http-port", ports[2].ToString(),
                "--grain-storage", "azure",
                "--azure-storage", connectionString,
            ];
            return await SiloProcess.RunToExitAsync(args, s_exitTimeout);
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    private static async Task<SiloExit> AssertRejectedAsync(string[] args, string expected)
    {
        var exit = await SiloProcess.RunToExitAsync(args, s_exitTimeout);
        Assert.True(exit.ExitCode == 2, $"Exit code {exit.ExitCode} for {string.Join(' ', args)}:{Environment.NewLine}{exit.Output}");
        Assert.Contains(expected, exit.Output);
        return exit;
    }
}
