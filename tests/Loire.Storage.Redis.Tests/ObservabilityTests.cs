using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using static Loire.Storage.Redis.Tests.StoreTestKit;

namespace Loire.Storage.Redis.Tests;

public sealed class ObservabilityTests(RedisServerFixture server) : IClassFixture<RedisServerFixture>
{
    [Fact]
    public async Task ConnectAsync_ChecksPersistence_AndFindsTheFixtureDurable()
    {
        var logger = new CapturingLogger();

        await using var store = await RedisMessageStore.ConnectAsync(Options(server), logger);

        // 4203: not durable, 4204: could not check. Neither may appear against an fsync-always AOF server.
        Assert.DoesNotContain(logger.Events, e => e.Id is 4203 or 4204);
        Assert.Contains(logger.Events, e => e.Id == 4200);
    }

    [Fact]
    public async Task CheckDurability_WarnsWhenRedisDoesNotFsyncEveryWrite()
    {
        var logger = new CapturingLogger();
        await using var store = await RedisMessageStore.ConnectAsync(Options(server), logger);
        await using var admin = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(server.Configuration);
        var database = admin.GetDatabase();

        await database.ExecuteAsync("CONFIG", "SET", "appendfsync", "everysec");
        try
        {
            Assert.False(await store.CheckDurabilityAsync());
            Assert.Contains(logger.Events, e => e.Id == 4203);
        }
        finally
        {
            await database.ExecuteAsync("CONFIG", "SET", "appendfsync", "always");
        }

        Assert.True(await store.CheckDurabilityAsync());
    }

    [Fact]
    public async Task Commits_AreMeasured_WithTheRedisStoreTag()
    {
        var commits = new ConcurrentBag<(long Value, string? Store, string? Outcome)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Loire" && instrument.Name == "loire.store.commits")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? store = null, outcome = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "loire.store")
                {
                    store = tag.Value as string;
                }
                else if (tag.Key == "loire.store.outcome")
                {
                    outcome = tag.Value as string;
                }
            }

            commits.Add((value, store, outcome));
        });
        listener.Start();

        await using var store = await RedisMessageStore.ConnectAsync(Options(server));
        await store.CommitAsync(new StoreBatch().PutMessage("q", 1, Bytes("x"), Bytes("s")));

        Assert.Contains(commits, c => c is { Value: 1, Store: "redis", Outcome: "success" });
    }

    private sealed class CapturingLogger : ILogger<RedisMessageStore>
    {
        public ConcurrentQueue<(int Id, LogLevel Level, string Message)> Events { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter) => Events.Enqueue((eventId.Id, logLevel, formatter(state, exception)));
    }
}
