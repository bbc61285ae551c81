using Loire.Client.Administration;
using Loire.Grains.AutoDelete;
using Loire.Grains.Hosting;
using Loire.Tests.Infrastructure;
using Loire.Tests.Queues;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using static Loire.Tests.Queues.QueueTestKit;

namespace Loire.Tests.AutoDelete;

/// <summary>
/// The index of auto-deleting entities, kept as Orleans grain state: what goes in, what the sweeper drops, and the
/// single-silo grain storage behind it (the message store's catalog).
/// </summary>
[Collection(AutoDeleteCluster.Name)]
public sealed class AutoDeleteIndexTests(ClusterFixture fixture)
{
    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    private AutoDeleteOnIdleSweeper Sweeper => fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<AutoDeleteOnIdleSweeper>();

    [Fact]
    public async Task EntitiesThatAutoDeleteAreIndexedAndOthersAreNot()
    {
        var queue = await _admin.CreateTestQueueAsync(o => o.AutoDeleteOnIdle = TimeSpan.FromDays(1));
        var plain = await _admin.CreateTestQueueAsync();
        var topic = "topics/" + Guid.NewGuid().ToString("N");
        await _admin.CreateTopicAsync(new CreateTopicOptions(topic) { AutoDeleteOnIdle = TimeSpan.FromDays(1) });
        await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "idle") { AutoDeleteOnIdle = TimeSpan.FromDays(1) });

        var indexed = await IndexedAsync();
        Assert.Contains(queue, indexed);
        Assert.Contains(topic, indexed);
        Assert.Contains(topic + "/subscriptions/idle", indexed);
        Assert.DoesNotContain(plain, indexed);

        await _admin.DeleteTopicAsync(topic);
        await _admin.DeleteQueueAsync(queue);
        await _admin.DeleteQueueAsync(plain);
    }

    [Fact]
    public async Task TheSweepDropsEntriesOfDeletedEntitiesOnceTheyAreOlderThanACreationTakes()
    {
        var deleted = await _admin.CreateTestQueueAsync(o => o.AutoDeleteOnIdle = TimeSpan.FromDays(1));
        var kept = await _admin.CreateTestQueueAsync(o => o.AutoDeleteOnIdle = TimeSpan.FromDays(1));
        await _admin.DeleteQueueAsync(deleted);

        // A fresh entry without its entity may belong to a creation still under way: kept.
        await Sweeper.SweepAsync(onlyOverdue: true, CancellationToken.None);
        Assert.Contains(deleted, await IndexedAsync());

        var grace = Sweeper.CreationGrace;
        Sweeper.CreationGrace = TimeSpan.Zero;
        try
        {
            await Sweeper.SweepAsync(onlyOverdue: true, CancellationToken.None);
        }
        finally
        {
            Sweeper.CreationGrace = grace;
        }

        var indexed = await IndexedAsync();
        Assert.DoesNotContain(deleted, indexed);
        Assert.Contains(kept, indexed);
        await _admin.DeleteQueueAsync(kept);
    }

    [Fact]
    public async Task SingleSiloGrainStorageKeepsStateWithVersionChecks()
    {
        var storage = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(LoireSiloBuilderExtensions.GrainStorageName);
        var grainId = GrainId.Create("loire-test-state", Guid.NewGuid().ToString("N"));
        var entry = new AutoDeleteIndexEntry("q", DateTimeOffset.UnixEpoch);

        var missing = new GrainState<AutoDeleteIndexState>();
        await storage.ReadStateAsync("entities", grainId, missing);
        Assert.False(missing.RecordExists);
        Assert.Empty(missing.State!.Entries);

        var writer = new GrainState<AutoDeleteIndexState>(new AutoDeleteIndexState { Entries = { ["q"] = entry } });
        await storage.WriteStateAsync("entities", grainId, writer);
        var read = new GrainState<AutoDeleteIndexState>();
        await storage.ReadStateAsync("entities", grainId, read);
        Assert.True(read.RecordExists);
        Assert.Equal(writer.ETag, read.ETag);
        Assert.Equal(entry, read.State!.Entries["q"]);

        // A writer holding an old version is refused and changes nothing.
        await storage.WriteStateAsync("entities", grainId, read);
        writer.State!.Entries.Clear();
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("entities", grainId, writer));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync("entities", grainId, writer));
        var after = new GrainState<AutoDeleteIndexState>();
        await storage.ReadStateAsync("entities", grainId, after);
        Assert.Equal(read.ETag, after.ETag);
        Assert.Single(after.State!.Entries);

        await storage.ClearStateAsync("entities", grainId, after);
        Assert.False(after.RecordExists);
        var cleared = new GrainState<AutoDeleteIndexState>();
        await storage.ReadStateAsync("entities", grainId, cleared);
        Assert.False(cleared.RecordExists);
    }

    private async Task<HashSet<string>> IndexedAsync()
    {
        var indexed = new HashSet<string>();
        for (var bucket = 0; bucket < AutoDeleteIndexGrain.BucketCount; bucket++)
        {
            foreach (var entry in await fixture.Cluster.Client.GetGrain<IAutoDeleteIndexGrain>(bucket).ListAsync())
            {
                indexed.Add(entry.Path);
            }
        }

        return indexed;
    }
}
