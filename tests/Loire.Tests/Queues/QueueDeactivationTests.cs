using System.Diagnostics;
using Loire.Grains;
using Loire.Tests.Infrastructure;
using Orleans.Core.Internal;
using static Loire.Tests.Queues.QueueTestKit;

namespace Loire.Tests.Queues;

/// <summary>
/// Orleans deactivates a grain only once no request runs in it, and holds new calls until then: a receive parked in a
/// queue must not hold up the queue's deactivation (a silo's shutdown, a directory change) nor the sends behind it.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class QueueDeactivationTests(ClusterFixture fixture)
{
    private static readonly TimeSpan s_longPoll = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ADeactivationEndsTheParkedReceiveSoTheSendBehindItGoesThroughAtOnce()
    {
        var queue = await fixture.Client.CreateAdministrationClient().CreateTestQueueAsync();
        var receiver = fixture.Client.CreateReceiver(queue);
        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.Zero)); // the receiver knows the queue now: no lookup before its next call

        var receiving = receiver.ReceiveMessageAsync(s_longPoll);
        // Same connection, same activation, in order: once the peek is answered the receive is parked in the grain.
        Assert.Null(await receiver.PeekMessageAsync());
        await fixture.Cluster.Client.GetGrain<IQueueGrain>(queue).AsReference<IGrainManagementExtension>().DeactivateOnIdle();

        var timer = Stopwatch.StartNew();
        await fixture.Client.CreateSender(queue).SendMessageAsync(Message("m1"));
        var sendTook = timer.Elapsed;
        Assert.True(sendTook < TimeSpan.FromSeconds(5), $"The send waited {sendTook.TotalSeconds:0.0} s behind the parked receive.");

        // The client polls again, on the queue's next activation, and gets the message there.
        var received = await receiving.WaitAsync(Patience);
        Assert.Equal("m1", received?.MessageId);
    }
}
