using System.Diagnostics;
using Loire.Client;
using static Loire.Storage.Redis.Tests.StoreTestKit;

namespace Loire.Storage.Redis.Tests;

/// <summary>Kills and restarts its own redis-server; its tests run one after another.</summary>
public sealed class RedisOutageTests(RedisServerFixture server) : IClassFixture<RedisServerFixture>
{
    [Fact]
    public async Task EveryAcknowledgedCommit_SurvivesKill9OfRedis()
    {
        var options = Options(server);
        var acknowledged = new List<long>();
        await using (var store = await RedisMessageStore.ConnectAsync(options))
        {
            Assert.True(await store.TryCreateEntityAsync(new EntityRecord("q", 1, Bytes("desc"))));
            var commits = Enumerable.Range(0, 300)
                .Select(async i =>
                {
                    await store.CommitAsync(new StoreBatch().PutMessage("q", i, Bytes($"p{i}"), Bytes($"s{i}")));
                    lock (acknowledged)
                    {
                        acknowledged.Add(i);
                    }
                })
                .ToArray();
            await Task.WhenAll(commits).WaitAsync(TestTimeout);
            await store.CommitAsync(new StoreBatch().UpdateMessageState("q", 5, Bytes("settled")).DeleteMessage("q", 6));

            // SIGKILL right after the acknowledgements: no shutdown, no final save.
            await server.KillAsync();
        }

        await server.StartAsync();
        await using var reopened = await RedisMessageStore.ConnectAsync(options);
        var records = await reopened.LoadMessagesAsync("q");
        Assert.Equal(acknowledged.Where(i => i != 6).Order(), records.Select(r => r.SequenceNumber));
        Assert.Equal("settled", Text(records.Single(r => r.SequenceNumber == 5).State));
        Assert.Equal("p299", Text(records[^1].Payload));
        Assert.Equal("desc", Text((await reopened.GetEntityAsync("q"))!.Description));
    }

    [Fact]
    public async Task Kill9DuringCommits_LosesNoAcknowledgedBatch()
    {
        var options = Options(server, TimeSpan.FromSeconds(2));
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<long>();
        var failed = 0;
        await using (var store = await RedisMessageStore.ConnectAsync(options))
        {
            // Four writers keep committing while Redis is killed under them.
            var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                for (var i = 0; i < 2_000; i++)
                {
                    var sequence = w * 100_000L + i;
                    try
                    {
                        await store.CommitAsync(new StoreBatch().PutMessage("q", sequence, Bytes($"p{sequence}"), Bytes("s")));
                        acknowledged.Add(sequence);
                    }
                    catch (LoireException exception) when (exception.Reason == LoireErrorReason.StoreUnavailable)
                    {
                        Interlocked.Increment(ref failed);
                        return;
                    }
                }
            })).ToArray();

            var started = Stopwatch.StartNew();
            while (acknowledged.Count < 200 && started.Elapsed < TestTimeout)
            {
                await Task.Delay(5);
            }

            await server.KillAsync();
            await Task.WhenAll(writers).WaitAsync(TestTimeout);
        }

        await server.StartAsync();
        await using var reopened = await RedisMessageStore.ConnectAsync(options);
        var stored = (await reopened.LoadMessagesAsync("q")).Select(r => r.SequenceNumber).ToHashSet();
        Assert.True(acknowledged.Count >= 200);
        Assert.True(failed > 0, "the kill came after every writer had finished");
        Assert.All(acknowledged, sequence => Assert.Contains(sequence, stored));
    }

    [Fact]
    public async Task WhileRedisIsDown_CallsFailFastWithStoreUnavailable_AndTheStoreRecoversByItself()
    {
        var operationTimeout = TimeSpan.FromSeconds(2);
        await using var store = await RedisMessageStore.ConnectAsync(Options(server, operationTimeout));
        await store.CommitAsync(new StoreBatch().PutMessage("q", 1, Bytes("before"), Bytes("s")));

        await server.KillAsync();

        for (var attempt = 0; attempt < 3; attempt++)
        {
            var watch = Stopwatch.StartNew();
            var error = await Assert.ThrowsAsync<LoireException>(
                () => store.CommitAsync(new StoreBatch().PutMessage("q", 100 + attempt, Bytes("lost"), Bytes("s"))).AsTask());
            Assert.Equal(LoireErrorReason.StoreUnavailable, error.Reason);
            Assert.True(error.IsTransient);
            Assert.True(watch.Elapsed < 2 * operationTimeout, $"commit failed after {watch.Elapsed}");

            watch.Restart();
            var readError = await Assert.ThrowsAsync<LoireException>(() => store.LoadMessagesAsync("q"));
            Assert.Equal(LoireErrorReason.StoreUnavailable, readError.Reason);
            Assert.True(watch.Elapsed < 2 * operationTimeout, $"read failed after {watch.Elapsed}");
        }

        Assert.True(store.GetStatistics().FailedCommits >= 3);

        await server.StartAsync();

        // The same store object comes back without being recreated.
        var recovered = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await store.CommitAsync(new StoreBatch().PutMessage("q", 2, Bytes("after"), Bytes("s")));
                break;
            }
            catch (LoireException exception) when (exception.Reason == LoireErrorReason.StoreUnavailable && recovered.Elapsed < TestTimeout)
            {
                await Task.Delay(100);
            }
        }

        Assert.Equal(["before", "after"], (await store.LoadMessagesAsync("q")).Select(r => Text(r.Payload)));
        Assert.True(store.GetStatistics().IsConnected);
    }
}
