using Loire.Client;
using Loire.Grains;
using Loire.Grains.Persistence;
using Loire.Messages;
using Loire.Storage;
using Loire.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Loire.Tests.Queues.QueueTestKit;

namespace Loire.Tests.Topics;

/// <summary>
/// Two activations of one topic: each numbers what it fans out from a block it reserved, so the older one must not
/// reserve (and hand out) numbers once a newer one took over, or a subscription would get two messages under one
/// number. The rival activation is played by the test, driving the store and the subscription as a topic would.
/// Likewise a subscription: the fan-out batch requires the epoch of every subscription activation that admitted it.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class TopicFencingTests(ClusterFixture fixture)
{
    private IServiceProvider Services => fixture.Cluster.GetSiloServiceProvider();

    [Fact]
    public async Task ASupersededTopicActivationCannotHandOutTheNumbersOfTheNewOnesBlock()
    {
        var topic = NewQueueName().Replace("queues/", "topics/", StringComparison.Ordinal);
        var admin = fixture.Client.CreateAdministrationClient();
        await admin.CreateTopicAsync(topic);
        await admin.CreateSubscriptionAsync(topic, "all");
        var subscription = $"{topic}/subscriptions/all";

        // A rival activation takes over, reserves its block from the stored ceiling and delivers its first number.
        var store = Services.GetRequiredService<IMessageStore>();
        var codec = Services.GetRequiredService<GrainPayloadCodec>();
        var rivalEpoch = (await store.AcquireEpochAsync(topic))!.Value;
        var document = codec.DecodeEntity((await store.GetEntityAsync(topic))!);
        var rivalSequence = document.SequenceCeiling;
        await store.CommitAsync(new StoreBatch().RequireEpoch(topic, rivalEpoch)
            .PutEntity(codec.EncodeEntity(document with { SequenceCeiling = rivalSequence + 10_000 })));
        await fixture.Cluster.Client.GetGrain<IQueueGrain>(subscription)
            .DeliverAsync([new OutgoingMessage { Body = "rival"u8.ToArray(), MessageId = "rival" }], [rivalSequence]);

        // The old activation's publish needs a block of its own: refused, transiently, and nothing delivered.
        await using (var noRetries = new LoireClient(fixture.Cluster.Client, new LoireClientOptions { Retry = { MaxRetries = 0 } }))
        {
            await ThrowsLoireAsync(LoireErrorReason.ServiceBusy, () => noRetries.CreateSender(topic).SendMessageAsync(Message("m1")));
        }

        // Published again, it goes through a new activation, which numbers above the rival's block.
        await fixture.Client.CreateSender(topic).SendMessageAsync(Message("m1"));
        var all = await ReceiveAsync(topic, expected: 2);

        Assert.Equal(["rival", "m1"], all.OrderBy(m => m.SequenceNumber).Select(m => m.MessageId));
        Assert.Equal(rivalSequence, all.Single(m => m.MessageId == "rival").SequenceNumber);
        Assert.True(all.Single(m => m.MessageId == "m1").SequenceNumber >= rivalSequence + 10_000);
        await Assert.ThrowsAsync<StaleEpochException>(() => store.CommitAsync(new StoreBatch().RequireEpoch(topic, rivalEpoch)
            .PutEntity(codec.EncodeEntity(document))).AsTask());
    }

    [Fact]
    public async Task AFanOutAdmittedByASupersededSubscriptionActivationStoresNothingAndIsRetriedOntoTheNewOne()
    {
        var topic = NewQueueName().Replace("queues/", "topics/", StringComparison.Ordinal);
        var admin = fixture.Client.CreateAdministrationClient();
        await admin.CreateTopicAsync(topic);
        await admin.CreateSubscriptionAsync(topic, "all");
        var subscription = $"{topic}/subscriptions/all";
        await fixture.Client.CreateSender(topic).SendMessageAsync(Message("m1"));

        // A rival activation of the subscription takes over; the running one still admits under its old epoch.
        var store = Services.GetRequiredService<IMessageStore>();
        var rivalEpoch = (await store.AcquireEpochAsync(subscription))!.Value;

        // The publish it admitted is refused as a whole, transiently: no copy is written for the stale activation.
        await using (var noRetries = new LoireClient(fixture.Cluster.Client, new LoireClientOptions { Retry = { MaxRetries = 0 } }))
        {
            await ThrowsLoireAsync(LoireErrorReason.ServiceBusy, () => noRetries.CreateSender(topic).SendMessageAsync(Message("m2")));
        }

        Assert.Single(await store.LoadMessagesAsync(subscription));

        // The stale activation stepped aside: published again, the copy goes to a new activation, which indexes it.
        await fixture.Client.CreateSender(topic).SendMessageAsync(Message("m2"));
        var all = await ReceiveAsync(topic, expected: 2);

        Assert.Equal(["m1", "m2"], all.OrderBy(m => m.SequenceNumber).Select(m => m.MessageId));
        await Assert.ThrowsAsync<StaleEpochException>(() => store.CommitAsync(new StoreBatch().RequireEpoch(subscription, rivalEpoch)
            .DeleteMessage(subscription, 1)).AsTask());
    }

    private async Task<List<LoireReceivedMessage>> ReceiveAsync(string topic, int expected)
    {
        var receiver = fixture.Client.CreateReceiver(topic, "all");
        var all = new List<LoireReceivedMessage>();
        while (all.Count < expected && await receiver.ReceiveMessagesAsync(10, TimeSpan.FromSeconds(2)) is { Count: > 0 } batch)
        {
            all.AddRange(batch);
            await receiver.CompleteMessagesAsync(batch);
        }

        return all;
    }
}
