using Loire.Client;
using Loire.Entities;
using Loire.Grains;
using Loire.Grains.Depth;
using Loire.Grains.Persistence;
using Loire.Storage;
using Loire.Tests.Infrastructure;
using Loire.Tests.Queues;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;
using static Loire.Tests.Queues.QueueTestKit;

namespace Loire.Tests.Depth;

/// <summary>Entity depths in the store's catalog: what autoscalers and the depth gauges read without activating grains.</summary>
[Collection(ClusterCollection.Name)]
public sealed class EntityDepthTests(ClusterFixture fixture)
{
    private IServiceProvider Services => fixture.Cluster.Silos[0].ServiceProvider;

    private EntityDepthQuery Query => Services.GetRequiredService<EntityDepthQuery>();

    private EntityDepthPublisher Publisher => Services.GetRequiredService<EntityDepthPublisher>();

    [Fact]
    public async Task AnAcknowledgedSendIsInTheCatalogDepthAtOnce()
    {
        var queue = await fixture.Client.CreateAdministrationClient().CreateTestQueueAsync();
        var sender = fixture.Client.CreateSender(queue);
        await sender.SendMessagesAsync([Message("m1"), Message("m2"), Message("m3")]);

        // No waiting: the batch that stored the messages carried the depth.
        var depth = await Query.FindAsync(queue);
        Assert.NotNull(depth);
        Assert.Equal(3, depth.ActiveMessages);
        Assert.True(depth.IsRecorded);
        Assert.NotNull(depth.OldestActiveAt);
        Assert.True(depth.SizeInBytes > 0);
    }

    [Fact]
    public async Task TheDepthOfADeactivatedEntityCountsEveryStateAndSettlementsShowSoon()
    {
        var queue = await fixture.Client.CreateAdministrationClient().CreateTestQueueAsync();
        var sender = fixture.Client.CreateSender(queue);
        await sender.SendMessagesAsync([Message("a"), Message("b"), Message("c"), Message("d")]);
        await sender.ScheduleMessageAsync(Message("later"), DateTimeOffset.UtcNow.AddHours(1));
        var receiver = fixture.Client.CreateReceiver(queue);
        var received = await receiver.ReceiveMessagesAsync(3, Patience);
        Assert.Equal(3, received.Count);
        await receiver.CompleteMessageAsync(received[0]);
        await receiver.DeadLetterMessageAsync(received[1], "test", "dead-lettered by the test");
        await receiver.DeferMessageAsync(received[2]);

        // Settlements land in the index after their commit; the grain records them within about a second.
        var depth = await Eventually.ValueAsync(() => Query.FindAsync(queue), d => d is { ActiveMessages: 1, DeferredMessages: 1 },
            "the settled depth", Describe);
        Assert.Equal(1, depth!.DeadLetterMessages);
        Assert.Equal(1, depth.ScheduledMessages);
        Assert.True(depth.NextScheduledAt > DateTimeOffset.UtcNow.AddMinutes(50));

        // Deactivated, the entity keeps its depth in the catalog, and reading it does not activate the grain.
        await Grain(queue).AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        await Eventually.ValueAsync(() => Task.FromResult(IsActive(queue)), active => !active, "the deactivation");
        Assert.Equal(depth with { OldestActiveAt = null }, (await Query.FindAsync(queue))! with { OldestActiveAt = null });
        Assert.False(IsActive(queue));
    }

    [Fact]
    public async Task AnEntityWithoutARecordedDepthIsWokenByThePublisherAndRecordsIt()
    {
        // A catalog entry written without its grain, as a store from before depths were recorded holds them.
        var path = NewQueueName();
        var codec = Services.GetRequiredService<GrainPayloadCodec>();
        var now = DateTimeOffset.UtcNow;
        var description = new EntityDescription(path, EntityKind.Queue, new EntityOptions(), now, now);
        Assert.True(await Services.GetRequiredService<IMessageStore>().TryCreateEntityAsync(codec.EncodeEntity(new EntityDocument(description, 1))));
        Assert.False((await Query.FindAsync(path))!.IsRecorded);

        await Publisher.RefreshAsync(CancellationToken.None);
        var depth = await Eventually.ValueAsync(() => Query.FindAsync(path), d => d!.IsRecorded, "the recorded depth", Describe);
        Assert.Equal(0, depth!.ActiveMessages);
    }

    [Fact]
    public async Task ScheduledMessagesOfAnIdleEntityBecomeActiveInItsDepthWhenDue()
    {
        var queue = await fixture.Client.CreateAdministrationClient().CreateTestQueueAsync();
        var due = DateTimeOffset.UtcNow.AddSeconds(1);
        await fixture.Client.CreateSender(queue).ScheduleMessageAsync(Message("soon"), due);

        // The scheduling send itself carried the count and the due time.
        var atOnce = (await Query.FindAsync(queue))!;
        Assert.Equal((1L, due.ToUnixTimeMilliseconds()), (atOnce.ScheduledMessages, atOnce.NextScheduledAt?.ToUnixTimeMilliseconds()));
        await Grain(queue).AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        await Eventually.ValueAsync(() => Task.FromResult(IsActive(queue)), active => !active, "the deactivation");
        var scheduled = (await Query.FindAsync(queue))!;
        Assert.Equal(1, scheduled.ScheduledMessages);

        // Due while no grain runs: the publisher's pass wakes the entity, which makes the message active.
        await Eventually.ValueAsync(() => Task.FromResult(scheduled.HasDueScheduledMessages(DateTimeOffset.UtcNow)), due => due, "the due time");
        var depth = await Eventually.ValueAsync(async () =>
        {
            await Publisher.RefreshAsync(CancellationToken.None);
            return await Query.FindAsync(queue);
        }, d => d is { ActiveMessages: 1, ScheduledMessages: 0 }, "the promoted depth", Describe);
        Assert.NotNull(depth!.OldestActiveAt);
    }

    [Fact]
    public async Task ThePublisherExportsWhatItOwnsAndGaugesReadTheCatalog()
    {
        var queue = await fixture.Client.CreateAdministrationClient().CreateTestQueueAsync();
        await fixture.Client.CreateSender(queue).SendMessagesAsync([Message("x"), Message("y")]);

        // One silo owns everything; the default cap (1000) is far above what the tests create.
        var export = await Publisher.RefreshAsync(CancellationToken.None);
        Assert.Equal(export.OwnedCount, export.Entities.Length);
        var entry = Assert.Single(export.Entities, e => e.Path == queue);
        Assert.Equal(2, entry.ActiveMessages);
        Assert.Equal(2, LoireGauges.Read("loire.entity.active_messages", queue));
    }

    [Fact]
    public async Task DepthsOfPartitionsAreSummedIntoTheirEntity()
    {
        var admin = fixture.Client.CreateAdministrationClient();
        var queue = await admin.CreateTestQueueAsync(o => o.PartitionCount = 4);
        var sender = fixture.Client.CreateSender(queue);
        for (var i = 0; i < 20; i++)
        {
            await sender.SendMessageAsync(new LoireMessage($"m{i}") { MessageId = $"m{i}", PartitionKey = $"key-{i}" });
        }

        var depth = await Query.FindAsync(queue);
        Assert.Equal(20, depth!.ActiveMessages);
        Assert.DoesNotContain(await Query.ReadAsync(queue), e => e.Path.Contains("$partitions", StringComparison.Ordinal));
    }

    private IQueueGrain Grain(string path) => fixture.Cluster.Client.GetGrain<IQueueGrain>(path);

    // The live gauge exists exactly while the entity's grain is active (see EntityGaugeTests).
    private static bool IsActive(string path) => LoireGauges.Read("loire.entity.locked_messages", path) is not null;

    private static string Describe(EntityDepthSummary? d) => d is null ? "none" :
        $"{{Active:{d.ActiveMessages}, Scheduled:{d.ScheduledMessages}, Deferred:{d.DeferredMessages}, DeadLetter:{d.DeadLetterMessages}, Recorded:{d.IsRecorded}}}";
}
