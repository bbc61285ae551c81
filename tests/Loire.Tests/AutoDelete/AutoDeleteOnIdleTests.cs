using Loire.Client;
using Loire.Client.Administration;
using Loire.Grains.AutoDelete;
using Loire.Tests.Infrastructure;
using Loire.Tests.Queues;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using static Loire.Tests.Queues.QueueTestKit;

namespace Loire.Tests.AutoDelete;

/// <summary>
/// Auto-delete tests force grain collection, which would disturb other tests' parked receives; they get a cluster of
/// their own (and run beside the main collection).
/// </summary>
[CollectionDefinition(Name)]
public sealed class AutoDeleteCluster : ICollectionFixture<ClusterFixture>
{
    public const string Name = "auto-delete-cluster";
}

[Collection(AutoDeleteCluster.Name)]
public sealed class AutoDeleteOnIdleTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Idle = IdleClock.MinimumIdle;

    // The idle check ticks every quarter of the idle time; deletion may also wait for the tick after that.
    private static readonly TimeSpan LatestDeletion = Idle + Idle / 2 + TimeSpan.FromSeconds(2);

    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    [Fact]
    public async Task IdleQueueDeletesItselfWithItsMessages()
    {
        var queue = await _admin.CreateTestQueueAsync(o => o.AutoDeleteOnIdle = Idle);
        await using (var sender = fixture.Client.CreateSender(queue))
        {
            await sender.SendMessagesAsync([Message("a"), Message("b"), Message("c")]);
        }

        var lastUse = DateTimeOffset.UtcNow;

        // Reading the runtime counts does not count as use: polling them does not keep the queue alive.
        var deletedAt = await WhenGoneAsync(() => _admin.GetQueueRuntimePropertiesAsync(queue));

        AssertDeletedOnTime(lastUse, deletedAt);
        await AssertLeavesCatalogAsync(() => _admin.QueueExistsAsync(queue));
        await using var late = fixture.Client.CreateSender(queue);
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => late.SendMessageAsync(Message("d")));

        // The messages went with it.
        await _admin.CreateQueueAsync(queue);
        Assert.Equal(0, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
        await _admin.DeleteQueueAsync(queue);
    }

    [Fact]
    public async Task SendsReceivesAndAParkedReceiveKeepAQueueAlive()
    {
        var queue = await _admin.CreateTestQueueAsync(o => o.AutoDeleteOnIdle = Idle);
        await using var sender = fixture.Client.CreateSender(queue);
        await using var receiver = fixture.Client.CreateReceiver(queue);
        var created = DateTimeOffset.UtcNow;

        // The usage pattern under test: operations with idle gaps shorter than AutoDeleteOnIdle, for longer than it.
        var gap = Idle / 2;
        for (var step = 0; DateTimeOffset.UtcNow - created < Idle + gap; step++)
        {
            await sender.SendMessageAsync(Message($"m{step}"));
            var message = await receiver.ReceiveMessageAsync(Patience);
            Assert.NotNull(message);
            await receiver.CompleteMessageAsync(message);
            await Task.Delay(gap);
        }

        Assert.True(await _admin.QueueExistsAsync(queue), "The queue was deleted while in use.");

        // One receive parked on the empty queue for longer than the idle time is use all along.
        var parked = Idle + TimeSpan.FromSeconds(2);
        Assert.Null(await receiver.ReceiveMessageAsync(parked));
        var lastUse = DateTimeOffset.UtcNow;
        Assert.True(await _admin.QueueExistsAsync(queue), $"The queue was deleted while a receive was parked on it for {parked}.");

        AssertDeletedOnTime(lastUse, await WhenGoneAsync(() => _admin.GetQueueAsync(queue)));
    }

    [Fact]
    public async Task IdleSubscriptionDeletesItselfAndItsTopicStopsRoutingToIt()
    {
        var topic = $"topics/auto-delete-{Guid.NewGuid().ToString("N")[..8]}";
        await _admin.CreateTopicAsync(topic);
        await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "short") { AutoDeleteOnIdle = Idle });
        await _admin.CreateSubscriptionAsync(topic, "kept");
        await using var sender = fixture.Client.CreateSender(topic);
        await sender.SendMessageAsync(Message("first"));
        var lastUse = DateTimeOffset.UtcNow;

        AssertDeletedOnTime(lastUse, await WhenGoneAsync(() => _admin.GetSubscriptionRuntimePropertiesAsync(topic, "short")));

        await AssertLeavesCatalogAsync(() => _admin.SubscriptionExistsAsync(topic, "short"));
        Assert.Equal(["kept"], (await CollectAsync(_admin.GetSubscriptionsAsync(topic))).Select(s => s.SubscriptionName));
        await sender.SendMessageAsync(Message("second"));
        Assert.Equal(2, (await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "kept")).ActiveMessageCount);
        Assert.True(await _admin.TopicExistsAsync(topic));
        await _admin.DeleteTopicAsync(topic);
    }

    [Fact]
    public async Task IdleTopicDeletesItselfWithItsSubscriptions()
    {
        var topic = $"topics/auto-delete-{Guid.NewGuid().ToString("N")[..8]}";
        await _admin.CreateTopicAsync(new CreateTopicOptions(topic) { AutoDeleteOnIdle = Idle });
        await _admin.CreateSubscriptionAsync(topic, "audit");
        await using (var sender = fixture.Client.CreateSender(topic))
        {
            await sender.SendMessageAsync(Message("only"));
        }

        var lastUse = DateTimeOffset.UtcNow;

        // Receiving from a subscription is the subscription's use, not the topic's.
        await using var receiver = fixture.Client.CreateReceiver(topic, "audit");
        Assert.NotNull(await receiver.ReceiveMessageAsync(Patience));

        AssertDeletedOnTime(lastUse, await WhenGoneAsync(() => _admin.GetTopicAsync(topic)));
        await AssertLeavesCatalogAsync(() => _admin.SubscriptionExistsAsync(topic, "audit"));
    }

    [Fact]
    public async Task QueueWhoseGrainWasCollectedIsDeletedByTheSweep()
    {
        var queue = await _admin.CreateTestQueueAsync(o => o.AutoDeleteOnIdle = Idle);
        await using (var sender = fixture.Client.CreateSender(queue))
        {
            await sender.SendMessageAsync(Message("orphan"));
        }

        var lastUse = DateTimeOffset.UtcNow;

        // Memory pressure or an operator can collect any activation; the keep-alive timer does not stop that.
        var management = fixture.Cluster.Client.GetGrain<IManagementGrain>(0);
        var grainId = GrainId.Create("loire-queue", queue);
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            await management.ForceActivationCollection(TimeSpan.FromMilliseconds(1));
            return !(await management.GetActiveGrains(GrainType.Create("loire-queue"))).Contains(grainId);
        }, Patience), "The queue grain was not collected.");

        // Nothing calls the queue any more; the silo's periodic sweep (run here instead of waiting minutes for it)
        // finds it overdue by its persisted last activity and wakes it, and it deletes itself.
        var sweeper = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<AutoDeleteOnIdleSweeper>();
        DateTimeOffset? deletedAt = null;
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            await sweeper.SweepAsync(onlyOverdue: true, CancellationToken.None);
            if (await _admin.QueueExistsAsync(queue))
            {
                return false;
            }

            deletedAt = DateTimeOffset.UtcNow;
            return true;
        }, Patience + Idle), "The collected queue was not deleted.");
        Assert.True(deletedAt - lastUse >= Idle, $"Deleted {deletedAt - lastUse} after its last use; its idle time is {Idle}.");
    }

    [Fact]
    public async Task AutoDeleteOnIdleShorterThanTheMinimumIsRefused()
    {
        var tooShort = IdleClock.MinimumIdle - TimeSpan.FromMilliseconds(1);
        var queue = NewQueueName();
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument,
            () => _admin.CreateQueueAsync(new CreateQueueOptions(queue) { AutoDeleteOnIdle = tooShort }));
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument,
            () => _admin.CreateTopicAsync(new CreateTopicOptions("topics/" + Guid.NewGuid().ToString("N")) { AutoDeleteOnIdle = tooShort }));
        Assert.False(await _admin.QueueExistsAsync(queue));

        var properties = await _admin.CreateQueueAsync(new CreateQueueOptions(queue) { AutoDeleteOnIdle = TimeSpan.FromDays(7) });
        Assert.Equal(TimeSpan.FromDays(7), properties.AutoDeleteOnIdle);
        await _admin.DeleteQueueAsync(queue);
    }

    /// <summary>
    /// The grain answers "not found" from the moment its delete starts; the catalog entry goes once the delete's commit
    /// lands, a store commit later (longer on a loaded machine).
    /// </summary>
    private static async Task AssertLeavesCatalogAsync(Func<Task<bool>> exists) =>
        Assert.True(await Eventually.TrueAsync(async () => !await exists(), Patience), "The deleted entity stayed in the catalog.");

    /// <summary>Polls <paramref name="read"/> until it fails with MessagingEntityNotFound; returns when that was seen first.</summary>
    private static async Task<DateTimeOffset> WhenGoneAsync<T>(Func<Task<T>> read)
    {
        DateTimeOffset? goneAt = null;
        var gone = await Eventually.TrueAsync(async () =>
        {
            try
            {
                await read();
                return false;
            }
            catch (LoireException exception) when (exception.Reason == LoireErrorReason.MessagingEntityNotFound)
            {
                goneAt = DateTimeOffset.UtcNow;
                return true;
            }
        }, LatestDeletion + TimeSpan.FromSeconds(3));
        Assert.True(gone, "The entity was not deleted.");
        return goneAt!.Value;
    }

    private static void AssertDeletedOnTime(DateTimeOffset lastUse, DateTimeOffset deletedAt)
    {
        var idleFor = deletedAt - lastUse;
        Assert.True(idleFor >= Idle - TimeSpan.FromMilliseconds(100), $"Deleted after {idleFor} idle; its AutoDeleteOnIdle is {Idle}.");
        Assert.True(idleFor <= LatestDeletion, $"Deleted only after {idleFor} idle; its AutoDeleteOnIdle is {Idle}.");
    }
}
