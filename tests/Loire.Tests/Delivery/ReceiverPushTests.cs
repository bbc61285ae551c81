using Loire.Client;
using Loire.Grains;
using Loire.Tests.Infrastructure;
using Loire.Tests.Processing;
using Loire.Tests.Queues;
using Orleans.Core.Internal;
using static Loire.Tests.Processing.ProcessorTestKit;

namespace Loire.Tests.Delivery;

/// <summary>
/// A peek-lock receiver with prefetch gets its prefetch pushed through delivery links whose credit is the prefetch
/// count: the buffer never holds more, a receive hands out what arrived, closing gives the rest back, and where push
/// does not apply (or is not asked for) the receiver polls. Either way every message is received once.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ReceiverPushTests(ClusterFixture fixture)
{
    private readonly LoireClient _client = fixture.Client;
    private readonly Client.Administration.LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    public static TheoryData<LoireDeliveryMode, LoireReceiveMode, int, int, bool> Cases => new()
    {
        { LoireDeliveryMode.Push, LoireReceiveMode.PeekLock, 1, 20, true },
        { LoireDeliveryMode.LongPoll, LoireReceiveMode.PeekLock, 1, 20, false },
        { LoireDeliveryMode.Push, LoireReceiveMode.ReceiveAndDelete, 1, 20, false },
        { LoireDeliveryMode.Push, LoireReceiveMode.PeekLock, 4, 20, true },
        { LoireDeliveryMode.Push, LoireReceiveMode.PeekLock, 4, 2, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task EveryMessageIsReceivedOnceWhetherPushedOrPolled(LoireDeliveryMode deliveryMode, LoireReceiveMode receiveMode, int partitions, int prefetch, bool pushed)
    {
        const int count = 200;
        var queue = await _admin.CreateQueueAsync(o => o.PartitionCount = partitions);
        await using var receiver = _client.CreateReceiver(queue, new LoireReceiverOptions
        {
            PrefetchCount = prefetch,
            ReceiveMode = receiveMode,
            DeliveryMode = deliveryMode,
        });

        // The first receive waits (and opens the links, where push applies) before anything is sent.
        var first = receiver.ReceiveMessagesAsync(10, Patience);
        var sent = await SendNumberedAsync(_client, queue, count);
        var batch = await first;
        var received = new List<LoireReceivedMessage>();
        while (true)
        {
            Assert.NotEmpty(batch);
            Assert.True(batch.Count <= 10, $"{batch.Count} messages from a receive of 10");
            received.AddRange(batch);
            if (receiveMode == LoireReceiveMode.PeekLock)
            {
                await receiver.CompleteMessagesAsync(batch);
            }

            if (received.Count >= count)
            {
                break;
            }

            batch = await receiver.ReceiveMessagesAsync(10, Patience);
        }

        Assert.Equal(pushed, receiver.IsPushing);
        Assert.Equal(sent.Order(), received.Select(m => m.MessageId!).Order());
        await _admin.RuntimePropertiesWhenAsync(queue, p => p.TotalMessageCount == 0, "every message completed");
    }

    [Fact]
    public async Task TheBufferHoldsAtMostThePrefetchCountAndRefillsAsReceivesTakeFromIt()
    {
        const int prefetch = 10;
        var queue = await _admin.CreateQueueAsync();
        await SendNumberedAsync(_client, queue, 60);
        await using var receiver = _client.CreateReceiver(queue, new LoireReceiverOptions { PrefetchCount = prefetch });

        var taken = await receiver.ReceiveMessagesAsync(1, Patience);
        Assert.Single(taken);
        Assert.True(receiver.IsPushing);

        // The one handed out plus a full buffer: its credit came back when it left the buffer.
        await _admin.RuntimePropertiesWhenAsync(queue, p => p.LockedMessageCount == 1 + prefetch, "one handed out and the buffer full");
        await _admin.AssertLockedStaysAtMostAsync(queue, 1 + prefetch, TimeSpan.FromSeconds(1.5));

        var more = await receiver.ReceiveMessagesAsync(5, Patience);
        Assert.Equal(5, more.Count);
        await _admin.RuntimePropertiesWhenAsync(queue, p => p.LockedMessageCount == 6 + prefetch, "six handed out and the buffer full again");
        await receiver.CompleteMessagesAsync([.. taken, .. more]);
        await _admin.RuntimePropertiesWhenAsync(queue, p => p.LockedMessageCount == prefetch && p.TotalMessageCount == 60 - 6, "six completed");
    }

    [Fact]
    public async Task ClosingGivesBackWhatWasPushedAhead()
    {
        const int count = 30;
        var queue = await _admin.CreateQueueAsync();
        await SendNumberedAsync(_client, queue, count);
        var receiver = _client.CreateReceiver(queue, new LoireReceiverOptions { PrefetchCount = 10 });
        var message = await receiver.ReceiveMessageAsync(Patience);
        Assert.NotNull(message);
        await receiver.CompleteMessageAsync(message);
        await _admin.RuntimePropertiesWhenAsync(queue, p => p.LockedMessageCount == 10, "the buffer full");

        await receiver.CloseAsync();

        // Available again at once, not when their locks run out; and nothing more is pushed to the closed receiver.
        await _admin.RuntimePropertiesWhenAsync(queue, p => p.LockedMessageCount == 0 && p.ActiveMessageCount == count - 1, "the buffer given back");
        await _admin.AssertLockedStaysAtMostAsync(queue, 0, TimeSpan.FromSeconds(1.5));
        await using var next = _client.CreateReceiver(queue);
        var rest = await ReceiveAndCompleteAsync(next, count - 1, Patience);
        Assert.Equal(count - 1, rest.Count);

        // The ten in the buffer were delivered once before (abandoning counts), the others never.
        Assert.Equal(10, rest.Count(m => m.DeliveryCount == 2));
        Assert.Equal(count - 11, rest.Count(m => m.DeliveryCount == 1));
    }

    [Fact]
    public async Task AReceiveThatMustNotWaitGetsWhatIsThereAtOnce()
    {
        var queue = await _admin.CreateQueueAsync();
        await SendNumberedAsync(_client, queue, 3);
        await using var receiver = _client.CreateReceiver(queue, new LoireReceiverOptions { PrefetchCount = 10 });

        var received = await receiver.ReceiveMessagesAsync(10, TimeSpan.Zero);

        // It polled: links would have locked the messages for a push that had not arrived yet.
        Assert.Equal(3, received.Count);
        Assert.False(receiver.IsPushing);
        await receiver.CompleteMessagesAsync(received);
        await SendNumberedAsync(_client, queue, 2);
        var pushed = await ReceiveAndCompleteAsync(receiver, 2, Patience);
        Assert.Equal(2, pushed.Count);
        Assert.True(receiver.IsPushing);
    }

    [Fact]
    public async Task AReceiverKeepsReceivingWhenTheQueueMoves()
    {
        var queue = await _admin.CreateQueueAsync();
        await using var receiver = _client.CreateReceiver(queue, new LoireReceiverOptions { PrefetchCount = 5 });
        await SendNumberedAsync(_client, queue, 1);
        var first = await receiver.ReceiveMessageAsync(Patience);
        Assert.NotNull(first);
        await receiver.CompleteMessageAsync(first);
        Assert.True(receiver.IsPushing);

        // The activation closes the link as it goes; the receiver opens one on the next activation.
        await fixture.Cluster.Client.GetGrain<IQueueGrain>(queue).AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        await SendNumberedAsync(_client, queue, 3);

        var rest = await ReceiveAndCompleteAsync(receiver, 3, Patience);
        Assert.Equal(3, rest.Count);
    }

    [Fact]
    public async Task AMissingQueueIsReportedByTheReceive()
    {
        await using var receiver = _client.CreateReceiver(QueueTestKit.NewQueueName("missing"), new LoireReceiverOptions { PrefetchCount = 10 });

        await QueueTestKit.ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => receiver.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(1)));
        Assert.False(receiver.IsPushing);
    }
}
