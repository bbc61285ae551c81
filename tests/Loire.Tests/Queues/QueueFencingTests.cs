using Loire.Client;
using Loire.Grains.Persistence;
using Loire.Messages;
using Loire.Storage;
using Loire.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Loire.Tests.Queues.QueueTestKit;

namespace Loire.Tests.Queues;

/// <summary>
/// Two activations of one queue (as during a membership change): the newer one's epoch fences the older one, so they
/// cannot both commit. The rival activation is played by the test driving the silo's store as a grain would.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class QueueFencingTests(ClusterFixture fixture)
{
    private IServiceProvider Services => fixture.Cluster.GetSiloServiceProvider();

    [Fact]
    public async Task ASupersededActivationCannotOverwriteTheNewOnesMessageAndItsSendIsRetriedOntoTheNewOne()
    {
        var queue = await fixture.Client.CreateAdministrationClient().CreateTestQueueAsync();
        await fixture.Client.CreateSender(queue).SendMessageAsync(Message("m1"));
        var first = (await fixture.Client.CreateReceiver(queue).PeekMessageAsync())!;

        // A rival activation takes over and stores a message under the number the running activation would use next.
        var store = Services.GetRequiredService<IMessageStore>();
        var codec = Services.GetRequiredService<GrainPayloadCodec>();
        var rivalEpoch = (await store.AcquireEpochAsync(queue))!.Value;
        var rivalSequence = first.SequenceNumber + 1;
        var rivalMessage = new StoredMessage(new OutgoingMessage { Body = "rival"u8.ToArray(), MessageId = "rival" }, rivalSequence,
            DateTimeOffset.UtcNow, DateTimeOffset.MaxValue);
        using (var payloads = new RentedPayloads())
        {
            await store.CommitAsync(new StoreBatch().RequireEpoch(queue, rivalEpoch)
                .PutMessage(queue, rivalSequence, codec.EncodeMessage(rivalMessage, payloads), ReadOnlyMemory<byte>.Empty));
        }

        // The old activation's next send is refused, transiently, and overwrites nothing.
        await using (var noRetries = new LoireClient(fixture.Cluster.Client, new LoireClientOptions { Retry = { MaxRetries = 0 } }))
        {
            await ThrowsLoireAsync(LoireErrorReason.ServiceBusy, () => noRetries.CreateSender(queue).SendMessageAsync(Message("m2")));
        }

        // Sent again, it lands on a new activation, which loaded the rival's message and numbers above it.
        await fixture.Client.CreateSender(queue).SendMessageAsync(Message("m2"));
        var receiver = fixture.Client.CreateReceiver(queue);
        var all = new List<LoireReceivedMessage>();
        while (all.Count < 3 && await receiver.ReceiveMessagesAsync(10, TimeSpan.FromSeconds(2)) is { Count: > 0 } batch)
        {
            all.AddRange(batch);
            await receiver.CompleteMessagesAsync(batch);
        }

        Assert.Equal(["m1", "rival", "m2"], all.OrderBy(m => m.SequenceNumber).Select(m => m.MessageId));
        Assert.Equal(3, all.Select(m => m.SequenceNumber).Distinct().Count());
        Assert.Equal(rivalSequence, all.Single(m => m.MessageId == "rival").SequenceNumber);

        // That new activation fenced the rival in turn: only one activation can commit at a time.
        await Assert.ThrowsAsync<StaleEpochException>(() => store.CommitAsync(new StoreBatch().RequireEpoch(queue, rivalEpoch)
            .DeleteMessage(queue, rivalSequence)).AsTask());
    }
}
