using Loire.Grains;
using Loire.Tests.Infrastructure;
using Orleans.Core.Internal;
using static Loire.Tests.Queues.QueueTestKit;

namespace Loire.Tests.Queues;

/// <summary>Live per-entity gauges (locks) exist for active entities only, so a million idle queues cost no gauge memory.</summary>
[Collection(ClusterCollection.Name)]
public sealed class EntityGaugeTests(ClusterFixture fixture)
{
    [Fact]
    public async Task GaugesOfADeactivatedEntityDisappearAndComeBackWithItsActivation()
    {
        var queue = await fixture.Client.CreateAdministrationClient().CreateTestQueueAsync();
        await fixture.Client.CreateSender(queue).SendMessageAsync(Message("m1"));
        Assert.Equal(0, LockedMessages(queue));

        await fixture.Cluster.Client.GetGrain<IQueueGrain>(queue).AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(LockedMessages(queue) is null), Patience),
            "The deactivated queue still reports its live gauge.");

        // The message is still there: the next call activates the queue, which publishes its gauges again.
        var received = await fixture.Client.CreateReceiver(queue).ReceiveMessageAsync(Patience);
        Assert.Equal("m1", received?.MessageId);
        Assert.Equal(1, LockedMessages(queue));
    }

    private static long? LockedMessages(string entity) => LoireGauges.Read("loire.entity.locked_messages", entity);
}
