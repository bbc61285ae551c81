using Loire.Client;
using Loire.Client.Administration;

namespace Loire.ProcessTests.Infrastructure;

/// <summary>
/// Two queues with a message each for restart tests of AutoDeleteOnIdle: "ephemeral" deletes itself after
/// <see cref="Idle"/> without use, "durable" must survive.
/// </summary>
public static class IdleQueuePair
{
    public static readonly TimeSpan Idle = TimeSpan.FromSeconds(5);

    /// <summary>The silo's table for <c>--grain-storage azure</c>.</summary>
    public const string AzureGrainStateTable = "LoireGrainState";

    /// <summary>Creates both queues and sends to each; returns when the ephemeral one was last used.</summary>
    public static async Task<DateTimeOffset> CreateAsync(LoireClient client, CancellationToken ct)
    {
        var admin = client.CreateAdministrationClient();
        await admin.CreateQueueAsync(new CreateQueueOptions("ephemeral") { AutoDeleteOnIdle = Idle }, ct);
        await admin.CreateQueueAsync(new CreateQueueOptions("durable"), ct);
        await client.CreateSender("ephemeral").SendMessageAsync(IndexedMessages.Create(1), ct);
        await client.CreateSender("durable").SendMessageAsync(IndexedMessages.Create(2), ct);
        return DateTimeOffset.UtcNow;
    }

    /// <summary>
    /// Waits (asking only the catalog, which does not activate entities) until the ephemeral queue is gone, then checks
    /// it was idle long enough and the durable queue kept its message.
    /// </summary>
    public static async Task AssertEphemeralDeletedAsync(LoireClient client, DateTimeOffset lastUse, SiloProcess silo, CancellationToken ct)
    {
        var admin = client.CreateAdministrationClient();
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(45);
        while (await admin.QueueExistsAsync("ephemeral", ct))
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"The idle queue still exists.{Environment.NewLine}{silo.Output}");
            await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
        }

        var deletedAfter = DateTimeOffset.UtcNow - lastUse;
        Assert.True(deletedAfter >= Idle, $"Deleted {deletedAfter} after its last use; its idle time is {Idle}.");
        Assert.Contains("auto-deleting entities", silo.Output);
        Assert.Equal(1L, (await admin.GetQueueRuntimePropertiesAsync("durable", ct)).ActiveMessageCount);
    }

    /// <summary>
    /// Reads the Azure grain-state table directly: the ephemeral queue's index entry must be one row there, its state
    /// in Orleans' binary format (which keeps the queue's path as UTF-8).
    /// </summary>
    public static async Task AssertIndexedInAzureAsync(AzuriteServer azurite, CancellationToken ct)
    {
        var rows = await azurite.ReadTableAsync(AzureGrainStateTable, ct);
        var index = rows.Where(r => r.PartitionKey.Contains("loire-auto-delete-index", StringComparison.Ordinal)).ToList();
        var keys = string.Join(", ", rows.Select(r => $"{r.PartitionKey}/{r.RowKey}"));
        Assert.True(index.Count == 1, $"Expected one index bucket in {AzureGrainStateTable}, found rows: {keys}.");
        var data = index[0].GetBinary("Data");
        Assert.True(data is { Length: > 0 }, $"The index row {index[0].PartitionKey} has no binary Data property: {string.Join(", ", index[0].Keys)}.");
        Assert.True(data.AsSpan().IndexOf("ephemeral"u8) >= 0, $"The index row {index[0].PartitionKey} does not name the ephemeral queue.");
    }
}
