using Loire.Client;
using Loire.Client.Administration;
using Loire.ProcessTests.Infrastructure;
using StackExchange.Redis;

namespace Loire.ProcessTests;

/// <summary>Orleans grain state in cluster mode: Redis grain storage, read by a silo that never saw it written.</summary>
public sealed partial class ClusterTests
{
    [Fact]
    public async Task AutoDeletingQueueIsDeletedByASiloStartedAfterTheWholeClusterDied()
    {
        var idle = TimeSpan.FromSeconds(5);
        using var timeout = new CancellationTokenSource(s_testTimeout);
        var ct = timeout.Token;
        await using var redis = await RedisServer.StartAsync(log, ct);

        DateTimeOffset lastUse;
        await using (var first = await StartClusterSiloAsync(redis, ct))
        {
            await using var client = new LoireClient(ClientOptions(first));
            var admin = client.CreateAdministrationClient();
            await admin.CreateQueueAsync(new CreateQueueOptions("ephemeral") { AutoDeleteOnIdle = idle }, ct);
            await admin.CreateQueueAsync(new CreateQueueOptions("durable"), ct);
            await client.CreateSender("ephemeral").SendMessageAsync(IndexedMessages.Create(1), ct);
            await client.CreateSender("durable").SendMessageAsync(IndexedMessages.Create(2), ct);
            lastUse = DateTimeOffset.UtcNow;

            // The auto-delete index is Orleans grain state, kept by Microsoft.Orleans.Persistence.Redis.
            await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
            var stateKeys = connection.GetServer(redis.Configuration).Keys(pattern: "loire/state/loire-auto-delete-index/*").ToList();
            Assert.True(stateKeys.Count == 1, $"Expected one index bucket in Redis, found: {string.Join(", ", stateKeys)}.");
            Assert.True(await connection.GetDatabase().HashExistsAsync(stateKeys[0], "data"));
            await first.KillAsync();
        }

        // A silo that was not part of the cluster before: only what Redis holds tells it the queue auto-deletes, and
        // the client only asks the catalog, which does not activate entities.
        await using var second = await StartClusterSiloAsync(redis, ct);
        await using var reconnected = new LoireClient(ClientOptions(second));
        var admin2 = reconnected.CreateAdministrationClient();
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(45);
        while (await admin2.QueueExistsAsync("ephemeral", ct))
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"The idle queue still exists.{Environment.NewLine}{second.Output}");
            await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
        }

        var deletedAfter = DateTimeOffset.UtcNow - lastUse;
        Assert.True(deletedAfter >= idle, $"Deleted {deletedAfter} after its last use; its idle time is {idle}.");
        Assert.Equal(1L, (await admin2.GetQueueRuntimePropertiesAsync("durable", ct)).ActiveMessageCount);
    }
}
