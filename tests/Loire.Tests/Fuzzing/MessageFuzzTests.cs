using System.Text;
using CsCheck;
using Loire.Client;
using Loire.Grains;
using Loire.Messages;
using Loire.Tests.Infrastructure;
using Xunit.Abstractions;
using static Loire.Tests.Queues.QueueTestKit;

namespace Loire.Tests.Fuzzing;

/// <summary>
/// Messages are the input every sender controls. Whatever a message holds, the broker stores it and hands it back
/// exactly, or refuses it with InvalidArgument or MessageSizeExceeded and stores nothing. That holds through the
/// public client and for a stranger who calls the queue grain directly, skipping the client's own checks.
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Fuzz")]
public sealed class MessageFuzzTests(ClusterFixture fixture, ITestOutputHelper output)
{
    private static readonly LoireErrorReason[] RefusalReasons = [LoireErrorReason.InvalidArgument, LoireErrorReason.MessageSizeExceeded];

    private static readonly Gen<OutgoingMessage> Messages =
        Gen.Select(
            Gen.Select(FuzzValues.Body, FuzzValues.Text, FuzzValues.Text, FuzzValues.Text, FuzzValues.Text),
            Gen.Select(FuzzValues.Text, FuzzValues.Text, FuzzValues.Text, FuzzValues.TimeToLive, FuzzValues.ScheduledTime),
            Gen.Select(FuzzValues.PropertyKey, FuzzValues.PropertyValue).Array[0, 4],
            (a, b, properties) => new OutgoingMessage
            {
                Body = a.Item1,
                MessageId = a.Item2,
                ContentType = a.Item3,
                Subject = a.Item4,
                CorrelationId = a.Item5,
                ReplyTo = b.Item1,
                To = b.Item2,
                PartitionKey = b.Item3,
                TimeToLive = b.Item4,
                ScheduledEnqueueTime = b.Item5,
                ApplicationProperties = properties.Length == 0 ? null : properties.DistinctBy(p => p.Item1).ToDictionary(p => p.Item1, p => p.Item2!),
            });

    [Fact]
    public async Task ClientMessagesRoundTripOrAreRefusedWithAReason()
    {
        await using var queue = await FuzzQueue.CreateAsync(fixture);
        var outcome = new FuzzOutcome();
        await Messages.SampleAsync(async message =>
        {
            await queue.PurgeAsync();
            try
            {
                await queue.Sender.SendMessageAsync(ToClientMessage(message));
            }
            catch (LoireException e)
            {
                outcome.Refused(e, RefusalReasons);
                await queue.AssertEmptyAsync();
                return;
            }

            outcome.Stored();
            var received = await queue.ReceiveOneAsync();
            AssertSame(message, received);
        }, time: FuzzBudget.Seconds(inSuite: 4), threads: 1, print: Describe);

        outcome.Report(output, "client sends");
    }

    [Fact]
    public async Task RawGrainSendsAreStoredExactlyOrRefused()
    {
        await using var queue = await FuzzQueue.CreateAsync(fixture);
        var grain = fixture.Cluster.Client.GetGrain<IQueueGrain>(queue.Path);
        var outcome = new FuzzOutcome();
        await Messages.Array[1, 3].SampleAsync(async batch =>
        {
            await queue.PurgeAsync();
            try
            {
                await grain.SendAsync(batch);
            }
            catch (LoireException e)
            {
                outcome.Refused(e, RefusalReasons);
                await queue.AssertEmptyAsync();
                return;
            }

            outcome.Stored();
            foreach (var message in batch)
            {
                AssertSame(AsWireCarriesIt(message), await queue.ReceiveOneAsync());
            }
        }, time: FuzzBudget.Seconds(inSuite: 4), threads: 1, print: batch => string.Join("; ", batch.Select(Describe)));

        outcome.Report(output, "raw grain batches");

        // The stranger's batches left the queue working for everyone else, in memory and after its next activation.
        await queue.Sender.SendMessageAsync(new LoireMessage("after") { MessageId = "after" });
        Assert.Equal("after", (await queue.ReceiveOneAsync()).MessageId);
    }

    private static LoireMessage ToClientMessage(OutgoingMessage message)
    {
        var sent = new LoireMessage(message.Body)
        {
            MessageId = message.MessageId,
            ContentType = message.ContentType,
            Subject = message.Subject,
            CorrelationId = message.CorrelationId,
            ReplyTo = message.ReplyTo,
            To = message.To,
            PartitionKey = message.PartitionKey,
            TimeToLive = message.TimeToLive ?? TimeSpan.MaxValue,
            ScheduledEnqueueTime = message.ScheduledEnqueueTime ?? DateTimeOffset.MinValue,
        };
        foreach (var (key, value) in message.ApplicationProperties ?? [])
        {
            sent.ApplicationProperties[key] = value;
        }

        return sent;
    }

    /// <summary>
    /// Orleans writes strings as UTF-8, so a lone surrogate reaches the grain as U+FFFD: the client refuses such text
    /// before it is sent, but a caller that skips the client gets what the wire made of it.
    /// </summary>
    private static OutgoingMessage AsWireCarriesIt(OutgoingMessage message) => message with
    {
        MessageId = Utf8(message.MessageId),
        ContentType = Utf8(message.ContentType),
        Subject = Utf8(message.Subject),
        CorrelationId = Utf8(message.CorrelationId),
        ReplyTo = Utf8(message.ReplyTo),
        To = Utf8(message.To),
        PartitionKey = Utf8(message.PartitionKey),
    };

    private static string? Utf8(string? text) => text is null ? null : Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text));

    private static void AssertSame(OutgoingMessage sent, LoireReceivedMessage received)
    {
        Assert.Equal(sent.Body, received.Body.ToArray());
        Assert.Equal(CodePoints(sent.ContentType), CodePoints(received.ContentType));
        Assert.Equal(CodePoints(sent.CorrelationId), CodePoints(received.CorrelationId));
        Assert.Equal(CodePoints(sent.ReplyTo), CodePoints(received.ReplyTo));
        Assert.Equal(CodePoints(sent.To), CodePoints(received.To));
        Assert.Equal(sent.MessageId ?? received.MessageId, received.MessageId);
        Assert.Equal(sent.ContentType, received.ContentType);
        Assert.Equal(sent.Subject, received.Subject);
        Assert.Equal(sent.CorrelationId, received.CorrelationId);
        Assert.Equal(sent.ReplyTo, received.ReplyTo);
        Assert.Equal(sent.To, received.To);
        var expected = sent.ApplicationProperties ?? [];
        Assert.Equal(expected.Count, received.ApplicationProperties.Count);
        foreach (var (key, value) in expected)
        {
            Assert.Equal(value is Uri uri ? uri.OriginalString : value, received.ApplicationProperties[key]);
        }
    }

    private static string? CodePoints(string? s) => s is null ? null : string.Join(" ", s.Select(c => ((int)c).ToString("X4")));

    private static string Describe(OutgoingMessage m) =>
        $"body {m.Body.Length} B, id {Show(m.MessageId)}, subject {Show(m.Subject)}, ttl {m.TimeToLive}, scheduled {m.ScheduledEnqueueTime}, " +
        $"properties [{string.Join(", ", (m.ApplicationProperties ?? []).Select(p => $"{Show(p.Key)}: {p.Value?.GetType().Name ?? "null"}"))}]";

    private static string Show(string? text) => text is null ? "null" : text.Length > 24 ? $"'{text[..24]}...'({text.Length})" : $"'{text}'";
}
