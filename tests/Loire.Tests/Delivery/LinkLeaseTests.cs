using System.Collections.Concurrent;
using System.Diagnostics;
using Loire.Client;
using Loire.Grains;
using Loire.Messages;
using Loire.Tests.Processing;
using Loire.Tests.Queues;
using static Loire.Tests.Queues.QueueTestKit;

namespace Loire.Tests.Delivery;

/// <summary>
/// The delivery link lease, on a broker with the shortest one: a link its client stops renewing is closed (and what
/// it was pushed comes back when the locks run out), while a renewed link, and a push processor's, lives on.
/// </summary>
public sealed class LinkLeaseTests(ShortLeaseClusterFixture fixture) : IClassFixture<ShortLeaseClusterFixture>, IDisposable
{
    private static readonly TimeSpan Lease = ShortLeaseClusterFixture.Lease;

    /// <summary>How often the test renews a link, as the client does.</summary>
    private static readonly TimeSpan RenewInterval = TimeSpan.FromSeconds(1);

    private readonly RecordingDeliveryObserver _observer = new(fixture.Cluster.Client);

    public void Dispose() => _observer.Dispose();

    [Fact]
    public async Task AnUnrenewedLinkIsClosedAfterTheLeaseWhileARenewedOneStaysOpen()
    {
        var admin = fixture.Client.CreateAdministrationClient();
        var abandoned = await admin.CreateTestQueueAsync(o => o.LockDuration = TimeSpan.FromSeconds(1));
        var kept = await admin.CreateTestQueueAsync();
        await SendAsync(abandoned, "a0", "a1");
        var idleLink = Guid.NewGuid();
        var renewedLink = Guid.NewGuid();
        var clock = Stopwatch.StartNew();
        await Grain(abandoned).OpenLinkAsync(new DeliveryLinkRequest(idleLink, 2), _observer.Reference);
        await Grain(kept).OpenLinkAsync(new DeliveryLinkRequest(renewedLink, 0), _observer.Reference);
        await WaitForPushedAsync(idleLink, 2);

        // Three leases of renewals, once a second: each grants one more credit, for a message sent just before.
        // The renewals keep their cadence whatever the pushes take (a busy machine delays those most); what was
        // pushed is counted at the end.
        long granted = 0;
        var renewedAt = clock.Elapsed;
        while (clock.Elapsed < 3 * Lease)
        {
            // The idle link was opened after the clock started: it cannot be closed before a lease has passed on it.
            var elapsed = clock.Elapsed;
            if (elapsed < Lease - TimeSpan.FromMilliseconds(500))
            {
                Assert.False(IsClosed(idleLink), $"the idle link was closed {elapsed} after it opened, before its lease of {Lease}");
            }

            await SendAsync(kept, $"k{granted}");
            var gap = clock.Elapsed - renewedAt;
            Assert.True(await Grain(kept).FlowLinkAsync(renewedLink, ++granted), $"the renewed link was dropped {clock.Elapsed} after it opened, {gap} after its last renewal");
            renewedAt = clock.Elapsed;
            await Task.Delay(RenewInterval);
        }

        await WaitForPushedAsync(renewedLink, granted);

        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(IsClosed(idleLink)), Patience), "the idle link is closed");
        Assert.Equal((idleLink, 2L, LoireErrorReason.ServiceTimeout), Assert.Single(_observer.Closures, c => c.Link == idleLink));
        Assert.False(await Grain(abandoned).FlowLinkAsync(idleLink, 2), "an expired link is unknown");

        // Nothing it was pushed is lost: the locks ran out and the messages are delivered again.
        await using var receiver = fixture.Client.CreateReceiver(abandoned);
        var again = await ReceiveAtLeastAsync(receiver, 2);
        Assert.Equal(["a0", "a1"], again.Select(m => m.MessageId).Order());
        Assert.All(again, m => Assert.Equal(2, m.DeliveryCount));

        // The renewed link lived through every lease and was pushed each message it was granted.
        Assert.False(IsClosed(renewedLink), "the renewed link was closed");
        Assert.Equal(granted, await Grain(kept).CloseLinkAsync(renewedLink));
        Assert.Equal(granted, Pushed(renewedLink));
    }

    [Fact]
    public async Task APushProcessorRenewsItsLinkAndKeepsHandlingAfterIdleLeases()
    {
        var queue = await fixture.Client.CreateAdministrationClient().CreateTestQueueAsync();
        var handled = new ConcurrentQueue<string>();
        var errors = new ErrorCollector();
        await using var processor = fixture.Client.CreateProcessor(queue, new LoireProcessorOptions { PrefetchCount = 5 });
        processor.ProcessMessageAsync += args =>
        {
            handled.Enqueue(args.Message.MessageId!);
            return Task.CompletedTask;
        };
        processor.ProcessErrorAsync += errors.Handler;
        await processor.StartProcessingAsync();
        await SendAsync(queue, "before");
        await WaitForHandledAsync(handled, 1);
        Assert.True(processor.IsPushing);

        // Two leases without traffic, each marked by a link of the test's own on the queue that is never renewed (and
        // has no credit, so it takes nothing): the second opened after the processor's last grant for a message, so
        // its expiry means that link would have expired too, had only traffic renewed it.
        var probes = new List<Guid>();
        for (var lease = 0; lease < 2; lease++)
        {
            var probe = Guid.NewGuid();
            probes.Add(probe);
            await Grain(queue).OpenLinkAsync(new DeliveryLinkRequest(probe, 0), _observer.Reference);
            Assert.True(await Eventually.TrueAsync(() => Task.FromResult(IsClosed(probe)), Lease + Patience), $"probe link {lease} expired");
        }

        await SendAsync(queue, "after-0", "after-1", "after-2");
        await WaitForHandledAsync(handled, 4);
        Assert.Single(fixture.LinksOpened(queue).Except(probes));
        await processor.StopProcessingAsync();
        Assert.Equal(["after-0", "after-1", "after-2", "before"], handled.Order());
        errors.AssertNone();
    }

    private IQueueGrain Grain(string queue) => fixture.Cluster.Client.GetGrain<IQueueGrain>(queue);

    private bool IsClosed(Guid link) => _observer.Closures.Any(c => c.Link == link);

    private long Pushed(Guid link) => _observer.Pushes.Where(p => p.Link == link).Sum(p => (long)p.Messages.Length);

    private async Task SendAsync(string queue, params string[] ids)
    {
        await using var sender = fixture.Client.CreateSender(queue);
        await sender.SendMessagesAsync(ids.Select(Message));
    }

    private async Task WaitForPushedAsync(Guid link, long count) =>
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(Pushed(link) >= count), Patience), $"{count} messages pushed to {link}; got {Pushed(link)}");

    private static async Task WaitForHandledAsync(ConcurrentQueue<string> handled, int count) =>
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(handled.Count >= count), Patience), $"{count} messages handled; got {handled.Count}");
}
