using Loire.Client;
using Loire.Client.Administration;
using Loire.Tests.Infrastructure;
using static Loire.Tests.Queues.QueueTestKit;

namespace Loire.Tests.Sending;

/// <summary>
/// Grains encode each stored message into a pooled array that goes back to the pool once its commit has completed.
/// Returned any earlier, another send's encoding would overwrite it before the store wrote it. Receivers are served
/// from memory, so only what the store holds shows that: these tests read it back after a restart.
/// </summary>
public sealed class StoredEncodingTests : RestartableClusterTest
{
    // Enough concurrent sends that many commits are in flight (and many arrays rented) at once.
    private const int Senders = 8;
    private const int SendsPerSender = 40;

    [Fact]
    public async Task ConcurrentSendsToQueuesAndATopic_AreStoredByteForByte()
    {
        var plain = await Admin.CreateTestQueueAsync();
        var early = await Admin.CreateTestQueueAsync(o => o.EnableEarlyDelivery = true);
        var topic = Topics.TopicTestKit.NewTopicName("stored-encoding");
        await Admin.CreateTopicAsync(new CreateTopicOptions(topic));
        string[] subscriptions = ["a", "b", "early"];
        foreach (var subscription in subscriptions)
        {
            await Admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, subscription) { EnableEarlyDelivery = subscription == "early" });
        }

        var sent = new Dictionary<string, byte[]>();
        var sends = new List<Task>();
        foreach (var entity in new[] { plain, early, topic })
        {
            sends.AddRange(Enumerable.Range(0, Senders).Select(s => SendAllAsync(entity, s, sent)));
        }

        await Task.WhenAll(sends);
        await Silo.RestartAsync();

        await AssertHoldsAsync(Client.CreateReceiver(plain, Draining), plain, sent);
        await AssertHoldsAsync(Client.CreateReceiver(early, Draining), early, sent);
        foreach (var subscription in subscriptions)
        {
            await AssertHoldsAsync(Client.CreateReceiver(topic, subscription, Draining), topic, sent);
        }
    }

    private static LoireReceiverOptions Draining => new() { ReceiveMode = LoireReceiveMode.ReceiveAndDelete };

    /// <summary>
    /// One sender's messages: single sends and small batches (several encodings in one batch), with bodies of sizes
    /// that fall in different pool buckets and contents no other message has.
    /// </summary>
    private async Task SendAllAsync(string entity, int senderIndex, Dictionary<string, byte[]> sent)
    {
        await using var sender = Client.CreateSender(entity);
        var sequence = 0;
        while (sequence < SendsPerSender)
        {
            var batchSize = Math.Min(1 + sequence % 3, SendsPerSender - sequence);
            var batch = new List<LoireMessage>(batchSize);
            for (var i = 0; i < batchSize; i++, sequence++)
            {
                var id = $"{entity}/{senderIndex}/{sequence}";
                var body = new byte[1 + (senderIndex * 997 + sequence * 389) % 6000];
                new Random(id.GetHashCode(StringComparison.Ordinal)).NextBytes(body);
                lock (sent)
                {
                    sent.Add(id, body);
                }

                batch.Add(new LoireMessage(body) { MessageId = id });
            }

            await sender.SendMessagesAsync(batch);
        }
    }

    /// <summary>The receiver's entity holds exactly the messages sent to <paramref name="entity"/>, each with the body it was sent with.</summary>
    private static async Task AssertHoldsAsync(LoireReceiver receiver, string entity, Dictionary<string, byte[]> sent)
    {
        await using (receiver)
        {
            var expected = sent.Where(p => p.Key.StartsWith(entity + "/", StringComparison.Ordinal)).ToDictionary(p => p.Key, p => p.Value);
            var received = await ReceiveAtLeastAsync(receiver, expected.Count);
            Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), received.Select(m => m.MessageId!).Order(StringComparer.Ordinal));
            foreach (var message in received)
            {
                Assert.True(expected[message.MessageId!].AsSpan().SequenceEqual(message.Body.ToMemory().Span),
                    $"{message.MessageId} came back from the store with another body.");
            }
        }
    }
}
