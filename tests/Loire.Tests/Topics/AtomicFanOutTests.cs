using Loire.Client;
using Loire.Client.Administration;
using Loire.Entities;
using Loire.Grains;
using Loire.Grains.Persistence;
using Loire.Messages;
using Loire.Storage;
using Microsoft.Extensions.DependencyInjection;
using Loire.Tests.Infrastructure;
using static Loire.Tests.Topics.TopicTestKit;

namespace Loire.Tests.Topics;

/// <summary>
/// A publish is stored for every matching subscription or for none (one store batch). Own single-silo cluster on its
/// own data folder, so a test can restart the silo and check what the store holds.
/// </summary>
public sealed class AtomicFanOutTests : RestartableClusterTest
{
    [Fact]
    public async Task ASubscriptionOverItsSizeRefusesThePublishForAll_AndARetryWithTopicDedupStoresItOnceInEach()
    {
        // The topic's 1 MB bounds every subscription; b also gets the filler, which a and c do not match.
        var topic = NewTopicName("atomic-size");
        await Admin.CreateTopicAsync(new CreateTopicOptions(topic) { MaxSizeInMegabytes = 1, RequiresDuplicateDetection = true });
        await CreateSubscriptionAsync(topic, "a", "kind = 'publish'");
        await CreateSubscriptionAsync(topic, "b", null);
        await CreateSubscriptionAsync(topic, "c", "kind = 'publish'");
        await using (var sender = Client.CreateSender(topic))
        {
            for (var i = 0; i < 4; i++)
            {
                await sender.SendMessageAsync(Sized($"fill-{i}", "fill", 250_000));
            }

            await ThrowsLoireAsync(LoireErrorReason.QuotaExceeded, () => sender.SendMessageAsync(Sized("m", "publish", 100_000)));
        }

        await AssertHoldsAsync(topic, ("a", []), ("b", ["fill-0", "fill-1", "fill-2", "fill-3"]), ("c", []));
        await RestartAsync();
        await AssertHoldsAsync(topic, ("a", []), ("b", ["fill-0", "fill-1", "fill-2", "fill-3"]), ("c", []));

        await using (var receiver = Client.CreateReceiver(topic, "b", new LoireReceiverOptions { ReceiveMode = LoireReceiveMode.ReceiveAndDelete }))
        {
            Assert.Equal("fill-0", (await receiver.ReceiveMessageAsync(ArrivalTimeout))?.MessageId);
        }

        await using (var sender = Client.CreateSender(topic))
        {
            await sender.SendMessageAsync(Sized("m", "publish", 100_000));
            await sender.SendMessageAsync(Sized("m", "publish", 100_000));
        }

        await AssertHoldsAsync(topic, ("a", ["m"]), ("b", ["fill-1", "fill-2", "fill-3", "m"]), ("c", ["m"]));
        await RestartAsync();
        await using (var sender = Client.CreateSender(topic))
        {
            await sender.SendMessageAsync(Sized("m", "publish", 100_000));
        }

        await AssertHoldsAsync(topic, ("a", ["m"]), ("b", ["fill-1", "fill-2", "fill-3", "m"]), ("c", ["m"]));
    }

    [Fact]
    public async Task ConcurrentPublishesNearACountQuotaNeverOvershoot_AndEachStoredOneIsInEverySubscription()
    {
        var topic = NewTopicName("atomic-count");
        await Admin.CreateTopicAsync(new CreateTopicOptions(topic));
        await CreateSubscriptionAsync(topic, "a", null);
        await CreateSubscriptionAsync(topic, "b", null, maxMessageCount: 5);
        await CreateSubscriptionAsync(topic, "c", null);

        await using var sender = Client.CreateSender(topic);
        var sends = Enumerable.Range(0, 20).Select(async i =>
        {
            try
            {
                await sender.SendMessageAsync(Message($"m-{i:D2}"));
                return $"m-{i:D2}";
            }
            catch (LoireException exception) when (exception.Reason == LoireErrorReason.QuotaExceeded)
            {
                return null;
            }
        }).ToArray();
        var stored = (await Task.WhenAll(sends)).OfType<string>().Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(5, stored.Length);
        await AssertHoldsAsync(topic, ("a", stored), ("b", stored), ("c", stored));
        await RestartAsync();
        await AssertHoldsAsync(topic, ("a", stored), ("b", stored), ("c", stored));
    }

    [Fact]
    public async Task ABatchSentToATopicIsStoredWhole_OrNotAtAll()
    {
        var topic = NewTopicName("atomic-batch");
        await Admin.CreateTopicAsync(new CreateTopicOptions(topic));
        await CreateSubscriptionAsync(topic, "a", null);
        await CreateSubscriptionAsync(topic, "b", "kind = 'publish'", maxMessageCount: 3);
        await using var sender = Client.CreateSender(topic);

        await sender.SendMessageAsync(Sized("first", "publish", 10));
        await ThrowsLoireAsync(LoireErrorReason.QuotaExceeded, () => sender.SendMessagesAsync(
            [Sized("x-0", "publish", 10), Sized("x-1", "other", 10), Sized("x-2", "publish", 10), Sized("x-3", "publish", 10)]));
        await AssertHoldsAsync(topic, ("a", ["first"]), ("b", ["first"]));

        await sender.SendMessagesAsync([Sized("y-0", "publish", 10), Sized("y-1", "other", 10), Sized("y-2", "publish", 10)]);
        await AssertHoldsAsync(topic, ("a", ["first", "y-0", "y-1", "y-2"]), ("b", ["first", "y-0", "y-2"]));
        await RestartAsync();
        await AssertHoldsAsync(topic, ("a", ["first", "y-0", "y-1", "y-2"]), ("b", ["first", "y-0", "y-2"]));
    }

    [Fact]
    public async Task ASubscriptionToldOfACommitItDidNotAdmit_IndexesTheMessagesFromTheStore()
    {
        // What a new activation sees when the topic's batch landed after it loaded, or after its reservation expired.
        var topic = NewTopicName("atomic-recover");
        await Admin.CreateTopicAsync(new CreateTopicOptions(topic));
        await CreateSubscriptionAsync(topic, "a", null);
        var subscription = EntityPath.Subscription(topic, "a");
        await CommitCopyAsync(subscription, new OutgoingMessage { MessageId = "late", Body = [1, 2, 3] }, 42, new StoreBatch());

        var grain = Silo.Cluster.Client.GetGrain<IQueueGrain>(subscription);
        await AssertHoldsAsync(topic, ("a", []));
        await grain.EndDeliveryAsync(Guid.NewGuid(), DeliveryOutcome.Stored, [42]);
        await grain.EndDeliveryAsync(Guid.NewGuid(), DeliveryOutcome.Stored, [42]);

        await AssertHoldsAsync(topic, ("a", ["late"]));
    }

    [Fact]
    public async Task ADeliveryAnOlderTopicActivationNeverEnded_IsIndexedFromTheStoreWhenANewerOneAdmits()
    {
        // A topic activation admits a publish, commits it and dies before ending it (kill -9 of its silo). With topic
        // duplicate detection the sender's retry is answered from the landed batch, so no end would ever index it.
        var topic = NewTopicName("atomic-orphan");
        await Admin.CreateTopicAsync(new CreateTopicOptions(topic));
        await CreateSubscriptionAsync(topic, "a", null);
        var subscription = EntityPath.Subscription(topic, "a");
        await using var sender = Client.CreateSender(topic);
        await sender.SendMessageAsync(Message("before"));

        // The dying activation took the topic's epoch over from the running one, as a rival activation would.
        var store = Silo.Cluster.GetSiloServiceProvider().GetRequiredService<IMessageStore>();
        var dyingEpoch = (await store.AcquireEpochAsync(topic))!.Value;
        var grain = Silo.Cluster.Client.GetGrain<IQueueGrain>(subscription);
        var orphan = new OutgoingMessage { MessageId = "orphan", Body = [1, 2, 3] };
        var admission = await grain.AdmitDeliveryAsync(Guid.NewGuid(), dyingEpoch, [orphan], [900_000]);
        await CommitCopyAsync(subscription, orphan, 900_000, new StoreBatch().RequireEpoch(topic, dyingEpoch).RequireEpoch(subscription, admission.Epoch));

        // The running activation finds itself superseded; the retry activates a newer one, whose admission frees the orphan.
        await sender.SendMessageAsync(Message("after"));

        await EventuallyAsync(async () => await PeekIdsAsync(topic, "a"), ids => ids == "after, before, orphan", "the orphaned copy",
            TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task ADeliveryWhoseCommitOutcomeIsUnknown_IsIndexedWhenTheStoreHoldsIt()
    {
        // A store timeout after the batch was sent: the topic cannot tell whether it landed, so the subscription looks.
        var topic = NewTopicName("atomic-unknown");
        await Admin.CreateTopicAsync(new CreateTopicOptions(topic));
        await CreateSubscriptionAsync(topic, "a", null);
        var subscription = EntityPath.Subscription(topic, "a");
        var grain = Silo.Cluster.Client.GetGrain<IQueueGrain>(subscription);
        var landed = new OutgoingMessage { MessageId = "landed", Body = [1] };
        var lost = new OutgoingMessage { MessageId = "lost", Body = [2] };
        var landedDelivery = Guid.NewGuid();
        var lostDelivery = Guid.NewGuid();
        var admission = await grain.AdmitDeliveryAsync(landedDelivery, 0, [landed], [41]);
        await grain.AdmitDeliveryAsync(lostDelivery, 0, [lost], [42]);
        await CommitCopyAsync(subscription, landed, 41, new StoreBatch().RequireEpoch(subscription, admission.Epoch));

        await grain.EndDeliveryAsync(landedDelivery, DeliveryOutcome.Unknown, [41]);
        await grain.EndDeliveryAsync(lostDelivery, DeliveryOutcome.Unknown, [42]);

        await AssertHoldsAsync(topic, ("a", ["landed"]));
    }

    /// <summary>Stores a subscription's copy as a topic's fan-out batch would, under <paramref name="batch"/>'s fences.</summary>
    private async Task CommitCopyAsync(string subscription, OutgoingMessage message, long sequenceNumber, StoreBatch batch)
    {
        var services = Silo.Cluster.GetSiloServiceProvider();
        var codec = services.GetRequiredService<GrainPayloadCodec>();
        var stored = new StoredMessage(message, sequenceNumber, DateTimeOffset.UtcNow, DateTimeOffset.MaxValue);
        using var payloads = new RentedPayloads();
        await services.GetRequiredService<IMessageStore>().CommitAsync(
            batch.PutMessage(subscription, sequenceNumber, codec.EncodeMessage(stored, payloads), ReadOnlyMemory<byte>.Empty));
    }

    private async Task<string> PeekIdsAsync(string topic, string subscription)
    {
        await using var receiver = Client.CreateReceiver(topic, subscription);
        return string.Join(", ", (await receiver.PeekMessagesAsync(100)).Select(m => m.MessageId!).Order(StringComparer.Ordinal));
    }

    /// <summary>Through the topic grain, since the client's subscription options carry no message-count limit.</summary>
    private async Task CreateSubscriptionAsync(string topic, string name, string? sql, long? maxMessageCount = null)
    {
        var rule = sql is null ? null : new RuleDescription("only", new FilterDescription(FilterKind.Sql, SqlExpression: sql));
        await Silo.Cluster.Client.GetGrain<ITopicGrain>(topic).CreateSubscriptionAsync(name, new EntityOptions { MaxMessageCount = maxMessageCount }, rule);
    }

    /// <summary>Every subscription holds exactly these MessageIds, by peek and by its runtime properties.</summary>
    private async Task AssertHoldsAsync(string topic, params (string Subscription, string[] Ids)[] expected)
    {
        foreach (var (subscription, ids) in expected)
        {
            await using var receiver = Client.CreateReceiver(topic, subscription);
            var peeked = (await receiver.PeekMessagesAsync(100)).Select(m => m.MessageId!).Order(StringComparer.Ordinal).ToArray();
            Assert.True(ids.SequenceEqual(peeked), $"{subscription} holds [{string.Join(", ", peeked)}], expected [{string.Join(", ", ids)}]");
            var properties = await Admin.GetSubscriptionRuntimePropertiesAsync(topic, subscription);
            Assert.Equal(ids.Length, properties.TotalMessageCount);
        }
    }

    private static LoireMessage Sized(string id, string kind, int bytes) =>
        new(new byte[bytes]) { MessageId = id, ApplicationProperties = { ["kind"] = kind } };

    private Task RestartAsync() => Silo.RestartAsync();
}
