using Loire.Client;
using Loire.Grains;
using Loire.Messages;
using Loire.Tests.Infrastructure;
using Loire.Tests.Queues;
using Orleans.Core.Internal;
using static Loire.Tests.Queues.QueueTestKit;

namespace Loire.Tests.Delivery;

/// <summary>
/// The queue grain's side of push delivery, called directly: a link is pushed at most the credit granted to it (a
/// running total, so a repeated grant adds nothing), what it is pushed is locked like a receive, closing tells how many
/// were pushed, and a deactivation tells the observer.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class DeliveryLinkTests(ClusterFixture fixture) : IDisposable
{
    private readonly RecordingDeliveryObserver _observer = new(fixture.Cluster.Client);

    private IDeliveryObserver Reference => _observer.Reference;

    public void Dispose() => _observer.Dispose();

    [Fact]
    public async Task ALinkIsPushedNoMoreThanItsCreditAndARepeatedGrantAddsNothing()
    {
        var admin = fixture.Client.CreateAdministrationClient();
        var queue = await admin.CreateTestQueueAsync();
        await SendAsync(queue, 10);
        var grain = Grain(queue);
        var link = Guid.NewGuid();

        await grain.OpenLinkAsync(new DeliveryLinkRequest(link, 3), Reference);
        await WaitForCountAsync(3);
        Assert.True(await grain.FlowLinkAsync(link, 3), "a known link");
        await admin.RuntimePropertiesWhenAsync(queue, p => p.LockedMessageCount == 3, "3 locked messages");
        Assert.Equal(3, _observer.Count);

        Assert.True(await grain.FlowLinkAsync(link, 5));
        await WaitForCountAsync(5);
        Assert.True(await grain.FlowLinkAsync(link, 4), "a lower total is no error");
        await admin.RuntimePropertiesWhenAsync(queue, p => p.LockedMessageCount == 5 && p.ActiveMessageCount == 10, "5 locked of 10");
        Assert.Equal(5, _observer.Count);

        // Pushed in order, numbered by the link's own count, each with its own lock.
        var pushed = _observer.Messages.ToList();
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"m{i}"), pushed.Select(m => m.Stored.Message.MessageId));
        Assert.Equal(5, pushed.Select(m => m.LockToken).Distinct().Count());
        Assert.Equal(0, _observer.Pushes.First().First);
        Assert.All(pushed, m => Assert.Equal(1, m.DeliveryCount));

        // Settling frees nothing by itself: credit comes only from grants.
        Assert.Empty(await grain.SettleAsync([.. pushed.Select(m => new Settlement(m.LockToken, SettlementKind.Complete))]));
        await admin.RuntimePropertiesWhenAsync(queue, p => p.ActiveMessageCount == 5 && p.LockedMessageCount == 0, "5 completed");
        Assert.Equal(5, _observer.Count);

        Assert.Equal(5, await grain.CloseLinkAsync(link));
        Assert.False(await grain.FlowLinkAsync(link, 100), "a closed link is unknown");
        Assert.Equal(-1, await grain.CloseLinkAsync(link));
    }

    [Fact]
    public async Task MessagesSentLaterArePushedAsTheyArriveAndAbandonedOnesComeBack()
    {
        var queue = await fixture.Client.CreateAdministrationClient().CreateTestQueueAsync();
        var grain = Grain(queue);
        var link = Guid.NewGuid();
        await grain.OpenLinkAsync(new DeliveryLinkRequest(link, 2), Reference);

        await SendAsync(queue, 1);
        await WaitForCountAsync(1);
        var first = _observer.Messages.Single();
        Assert.Empty(await grain.SettleAsync([new Settlement(first.LockToken, SettlementKind.Abandon)]));

        // The abandoned message is available again and the link has one credit left for it.
        await WaitForCountAsync(2);
        var again = _observer.Messages.Last();
        Assert.Equal(first.Stored.SequenceNumber, again.Stored.SequenceNumber);
        Assert.Equal(2, again.DeliveryCount);
        Assert.Equal(2, await grain.CloseLinkAsync(link));
    }

    [Fact]
    public async Task ADeactivationClosesTheLinkAndSaysHowManyItPushed()
    {
        var queue = await fixture.Client.CreateAdministrationClient().CreateTestQueueAsync();
        await SendAsync(queue, 2);
        var grain = Grain(queue);
        var link = Guid.NewGuid();
        await grain.OpenLinkAsync(new DeliveryLinkRequest(link, 5), Reference);
        await WaitForCountAsync(2);

        await grain.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(!_observer.Closures.IsEmpty), Patience), "the observer is told");
        var closure = _observer.Closures.Single();
        Assert.Equal((link, 2L, LoireErrorReason.ServiceBusy), closure);

        // The next activation does not know the link; the client opens another.
        Assert.False(await grain.FlowLinkAsync(link, 5));
    }

    [Fact]
    public async Task BadLinkRequestsAreRefusedAndChangeNothing()
    {
        var admin = fixture.Client.CreateAdministrationClient();
        var queue = await admin.CreateTestQueueAsync();
        await SendAsync(queue, 1);
        var grain = Grain(queue);

        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument, () => grain.OpenLinkAsync(new DeliveryLinkRequest(Guid.Empty, 1), Reference).AsTask());
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument, () => grain.OpenLinkAsync(new DeliveryLinkRequest(Guid.NewGuid(), 5_001), Reference).AsTask());
        var link = Guid.NewGuid();
        await grain.OpenLinkAsync(new DeliveryLinkRequest(link, 0), Reference);
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument, () => grain.FlowLinkAsync(link, 5_001).AsTask());
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound,
            () => Grain(NewQueueName()).OpenLinkAsync(new DeliveryLinkRequest(Guid.NewGuid(), 1), Reference).AsTask());

        var sessions = await admin.CreateTestQueueAsync(o => o.RequiresSession = true);
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument, () => Grain(sessions).OpenLinkAsync(new DeliveryLinkRequest(Guid.NewGuid(), 1), Reference).AsTask());

        // Nothing was pushed or locked by any of these.
        var properties = await admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.Equal(0, properties.LockedMessageCount);
        Assert.Equal(0, _observer.Count);
        Assert.Equal(0, await grain.CloseLinkAsync(link));
    }

    private IQueueGrain Grain(string queue) => fixture.Cluster.Client.GetGrain<IQueueGrain>(queue);

    private async Task SendAsync(string queue, int count)
    {
        await using var sender = fixture.Client.CreateSender(queue);
        for (var i = 0; i < count; i++)
        {
            await sender.SendMessageAsync(Message($"m{i}"));
        }
    }

    private async Task WaitForCountAsync(int count) =>
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(_observer.Count >= count), Patience), $"{count} messages pushed; got {_observer.Count}");
}
