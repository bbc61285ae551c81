using StackExchange.Redis;
using static Loire.Storage.Redis.Tests.StoreTestKit;

namespace Loire.Storage.Redis.Tests;

/// <summary>
/// The contract a topic's fan-out relies on: one batch that writes several entities (messages, depth records, catalog
/// entries) is applied whole, in one script, and no reader sees part of it.
/// </summary>
public sealed class MultiEntityBatchTests(RedisServerFixture server) : IClassFixture<RedisServerFixture>
{
    private static readonly string[] Subscriptions = ["t/subscriptions/a", "t/subscriptions/b", "t/subscriptions/c"];

    [Fact]
    public async Task ABatchAcrossEntities_AppliesEveryOperation_WithTheDepthOfEachEntity()
    {
        await using var store = await RedisMessageStore.ConnectAsync(Options(server));
        foreach (var path in Subscriptions)
        {
            Assert.True(await store.TryCreateEntityAsync(new EntityRecord(path, 2, Bytes("sub"))));
        }

        var batch = new StoreBatch();
        for (var e = 0; e < Subscriptions.Length; e++)
        {
            batch.PutMessage(Subscriptions[e], 7, Bytes($"m{e}"), ReadOnlyMemory<byte>.Empty)
                .PutDepth(Subscriptions[e], Depth(e + 1));
        }

        batch.PutMessage("t/$duplicates", 7, Bytes("history"), ReadOnlyMemory<byte>.Empty)
            .PutEntity(new EntityRecord("t", 1, Bytes("topic")));
        var commitsBefore = store.GetStatistics().Commits;
        await store.CommitAsync(batch);

        Assert.Equal(commitsBefore + 1, store.GetStatistics().Commits);
        for (var e = 0; e < Subscriptions.Length; e++)
        {
            Assert.Equal($"m{e}", Text(Assert.Single(await store.LoadMessagesAsync(Subscriptions[e])).Payload));
        }

        Assert.Equal("history", Text(Assert.Single(await store.LoadMessagesAsync("t/$duplicates")).Payload));
        Assert.Equal("topic", Text((await store.GetEntityAsync("t"))!.Description));
        var depths = await store.ListDepthsAsync("t/subscriptions/", null, 10);
        Assert.Equal([1L, 2, 3], depths.Select(d => d.Depth!.Value.Active));
    }

    [Fact]
    public async Task AConcurrentReaderNeverSeesPartOfABatchAcrossEntities()
    {
        var options = Options(server);
        await using var store = await RedisMessageStore.ConnectAsync(options);
        using var connection = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        var database = connection.GetDatabase();
        var keys = Subscriptions.Select(path => (RedisKey)(options.KeyPrefix + "m:" + path)).ToArray();

        const int batches = 300;
        var writer = Task.Run(async () =>
        {
            var commits = new List<Task>();
            for (var i = 0; i < batches; i++)
            {
                var batch = new StoreBatch();
                foreach (var path in Subscriptions)
                {
                    batch.PutMessage(path, i, Bytes($"m{i}"), ReadOnlyMemory<byte>.Empty);
                }

                commits.Add(store.CommitAsync(batch).AsTask());
            }

            await Task.WhenAll(commits);
        });

        // One script reads the three entities at one instant, as the commit script writes them at one.
        var observations = 0;
        while (true)
        {
            var done = writer.IsCompleted;
            var lengths = (long[])(await database.ScriptEvaluateAsync(
                "return {redis.call('HLEN', KEYS[1]), redis.call('HLEN', KEYS[2]), redis.call('HLEN', KEYS[3])}", keys))!;
            Assert.True(lengths[0] == lengths[1] && lengths[1] == lengths[2], $"saw part of a batch: {string.Join(", ", lengths)}");
            observations++;
            if (done)
            {
                Assert.Equal(batches, lengths[0]);
                break;
            }
        }

        await writer.WaitAsync(TestTimeout);
        Assert.True(observations > 1);
    }

    private static EntityDepth Depth(long active) => new(active, 0, 0, 0, active * 10, null, null, DateTimeOffset.UtcNow);
}
