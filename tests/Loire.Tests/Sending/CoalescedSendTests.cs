using Loire.Client;
using Loire.Client.Administration;
using Loire.Tests.Infrastructure;
using static Loire.Tests.Queues.QueueTestKit;

namespace Loire.Tests.Sending;

/// <summary>Concurrent sends through the public API against a real silo: merged, yet each on its own.</summary>
[Collection(ClusterCollection.Name)]
public sealed class CoalescedSendTests(ClusterFixture fixture)
{
    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    [Fact]
    public async Task ManyConcurrentSendsShareCallsAndKeepEachCallersOrder()
    {
        const int callers = 100;
        const int sendsEach = 4;
        var queue = await _admin.CreateTestQueueAsync();
        await using var sender = fixture.Client.CreateSender(queue);
        var callsBefore = fixture.Client.Sends.Calls;

        // Each caller sends one message and then a batch of two, one after the other; callers run concurrently.
        await Task.WhenAll(Enumerable.Range(0, callers).Select(async c =>
        {
            for (var s = 0; s < sendsEach; s++)
            {
                await sender.SendMessageAsync(Message($"c{c:D3}-{s}-a"));
                await sender.SendMessagesAsync([Message($"c{c:D3}-{s}-b"), Message($"c{c:D3}-{s}-c")]);
            }
        }));

        await using var receiver = fixture.Client.CreateReceiver(queue);
        var received = await ReceiveAtLeastAsync(receiver, callers * sendsEach * 3, batchSize: 500);
        Assert.Equal(callers * sendsEach * 3, received.Count);
        Assert.Equal(received.Count, received.Select(m => m.SequenceNumber).Distinct().Count());
        foreach (var caller in received.GroupBy(m => m.MessageId![..4]))
        {
            var expected = Enumerable.Range(0, sendsEach).SelectMany(s => new[] { "a", "b", "c" }.Select(x => $"{caller.Key}-{s}-{x}"));
            Assert.Equal(expected, caller.OrderBy(m => m.SequenceNumber).Select(m => m.MessageId));
        }

        Assert.True(fixture.Client.Sends.Calls - callsBefore < callers * sendsEach * 2,
            $"{fixture.Client.Sends.Calls - callsBefore} broker calls for {callers * sendsEach * 2} sends");
        await receiver.CompleteMessagesAsync(received);
    }

    [Fact]
    public async Task ABodyArrayReusedAfterItsSendCompleted_LeavesTheSentMessageAsItWas()
    {
        // A gateway client hands the caller's array to the call, which copies it before the send completes; a client
        // over a grain factory (this one) copies it first, since a grain in its process could keep the array.
        Assert.False(fixture.Client.SerializesCalls);
        var queue = await _admin.CreateTestQueueAsync();
        await using var sender = fixture.Client.CreateSender(queue);
        var buffer = new byte[64];
        for (var i = 0; i < 20; i++)
        {
            Array.Fill(buffer, (byte)i);
            await sender.SendMessageAsync(new LoireMessage(buffer));
        }

        Array.Fill(buffer, (byte)0xFF);
        await using var receiver = fixture.Client.CreateReceiver(queue);
        var received = await ReceiveAtLeastAsync(receiver, 20, batchSize: 20);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => Enumerable.Repeat((byte)i, 64).ToArray()),
            received.OrderBy(m => m.SequenceNumber).Select(m => m.Body.ToArray()));
        await receiver.CompleteMessagesAsync(received);
    }

    [Fact]
    public void ABodyGoesUncopiedOnlyWhenTheCallSerializesItAndItIsOneWholeArray()
    {
        var array = new byte[] { 1, 2, 3, 4 };
        Assert.Same(array, new LoireMessage(array).ToOutgoing("q", null, null, shareBody: true).Body);
        Assert.NotSame(array, new LoireMessage(array).ToOutgoing("q", null, null, shareBody: false).Body);

        var slice = new LoireMessage(new BinaryData(array.AsMemory(1, 2))).ToOutgoing("q", null, null, shareBody: true).Body;
        Assert.NotSame(array, slice);
        Assert.Equal(new byte[] { 2, 3 }, slice);
    }

    [Fact]
    public async Task AMessageOnlyTheBrokerRefusesFailsOnlyItsOwnSend()
    {
        var queue = await _admin.CreateTestQueueAsync();
        await using var sender = fixture.Client.CreateSender(queue);
        // The client lets 300 KiB through (its limit is per batch); the test silo refuses messages over 256 KiB.
        var oversized = new LoireMessage(new byte[300 * 1024]) { MessageId = "too-big" };

        var sends = Enumerable.Range(0, 60).Select(i => i == 30
            ? sender.SendMessageAsync(oversized)
            : sender.SendMessageAsync(Message($"m{i:D2}"))).ToArray();
        var outcomes = await Task.WhenAll(sends.Select(async send =>
        {
            try
            {
                await send;
                return null;
            }
            catch (LoireException exception)
            {
                return (LoireErrorReason?)exception.Reason;
            }
        }));

        Assert.Equal(LoireErrorReason.MessageSizeExceeded, outcomes[30]);
        Assert.Equal(59, outcomes.Count(o => o is null));
        await using var receiver = fixture.Client.CreateReceiver(queue);
        var received = await ReceiveAtLeastAsync(receiver, 59);
        Assert.Equal(Enumerable.Range(0, 60).Where(i => i != 30).Select(i => $"m{i:D2}"), received.Select(m => m.MessageId).Order());
    }
}
