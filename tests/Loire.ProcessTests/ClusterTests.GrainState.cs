using Loire.Client;
using Loire.ProcessTests.Infrastructure;
using StackExchange.Redis;

namespace Loire.ProcessTests;

/// <summary>Orleans grain state in cluster mode (Redis, or Azure Table storage), read by a silo that never saw it written.</summary>
public sealed partial class ClusterTests
{
    [Fact]
    public async Task AutoDeletingQueueIsDeletedByASiloStartedAfterTheWholeClusterDied()
    {
        using var timeout = new CancellationTokenSource(s_testTimeout);
        var ct = timeout.Token;
        await using var redis = await RedisServer.StartAsync(log, ct);

        DateTimeOffset lastUse;
        await using (var first = await StartClusterSiloAsync(redis, ct))
        {
            await using var client = new LoireClient(ClientOptions(first));
            lastUse = await IdleQueuePair.CreateAsync(client, ct);

            // The auto-delete index is Orleans grain state, kept by Microsoft.Orleans.Persistence.Redis.
            await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
            var stateKeys = connection.GetServer(redis.Configuration).Keys(pattern: "loire/state/loire-auto-delete-index/*").ToList();
            Assert.True(stateKeys.Count == 1, $"Expected one index bucket in Redis, found: {string.Join(", ", stateKeys)}.");
            Assert.True(await connection.GetDatabase().HashExistsAsync(stateKeys[0], "data"));
            await first.KillAsync();
        }

        // A silo that was not part of the cluster before: only what Redis holds tells it the queue auto-deletes.
        await using var second = await StartClusterSiloAsync(redis, ct);
        await using var reconnected = new LoireClient(ClientOptions(second));
        await IdleQueuePair.AssertEphemeralDeletedAsync(reconnected, lastUse, second, ct);
    }

    [Fact]
    public async Task AutoDeletingQueueIsDeletedByASiloStartedAfterTheWholeClusterDiedWithGrainStateInAzure()
    {
        using var timeout = new CancellationTokenSource(s_testTimeout);
        var ct = timeout.Token;
        await using var redis = await RedisServer.StartAsync(log, ct);
        await using var azurite = await AzuriteServer.StartAsync(log, ct);
        string[] azure = ["--grain-storage", "azure", "--azure-storage", azurite.ConnectionString];

        DateTimeOffset lastUse;
        await using (var first = await StartClusterSiloAsync(redis, ct, azure))
        {
            await using var client = new LoireClient(ClientOptions(first));
            lastUse = await IdleQueuePair.CreateAsync(client, ct);
            await IdleQueuePair.AssertIndexedInAzureAsync(azurite, ct);

            // Azure replaces the cluster's default grain storage; Redis keeps membership and messages only.
            await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
            Assert.Empty(connection.GetServer(redis.Configuration).Keys(pattern: "loire/state/*"));
            await first.KillAsync();
        }

        await using var second = await StartClusterSiloAsync(redis, ct, azure);
        await using var reconnected = new LoireClient(ClientOptions(second));
        await IdleQueuePair.AssertEphemeralDeletedAsync(reconnected, lastUse, second, ct);
    }
}
