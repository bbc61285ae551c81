using System.Text;
using Amqp;
using Amqp.Framing;
using Amqp.Types;
using Loire.Client;
using Loire.Client.Administration;
using Loire.ProcessTests.Infrastructure;
using static Loire.ProcessTests.Amqp.AmqpSilo;

namespace Loire.ProcessTests.Amqp;

/// <summary>
/// The AMQP 1.0 front door with clients no one here wrote, against one silo process: what an AMQP client sends the
/// .NET client receives, and the other way round. This part: AMQPNetLite, with properties, credit, settlement and
/// errors; the other: Qpid Proton in Python.
/// </summary>
[Collection(SiloProcessCollection.Name)]
public sealed partial class AmqpInteropTests(AmqpSilo silo) : IClassFixture<AmqpSilo>
{
    [Fact]
    public async Task AmqpSendIsReceivedByTheLoireClientWithItsProperties()
    {
        var queue = await silo.CreateQueueAsync("amqp/send-props");
        var session = await silo.OpenSessionAsync();
        var sender = new SenderLink(session, "send-props", queue);
        var sent = new Message { BodySection = new Data { Binary = [1, 2, 3, 0xFF] } };
        sent.Properties = new Properties
        {
            MessageId = "m-1", CorrelationId = "c-1", Subject = "order.created", ContentType = "application/octet-stream",
            To = "billing", ReplyTo = "replies", ReplyToGroupId = "reply-session", GroupId = "session-1",
        };
        sent.Header = new Header { Ttl = 600_000 };
        var at = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        var id = Guid.NewGuid();
        sent.ApplicationProperties = new ApplicationProperties
        {
            ["text"] = "value", ["int"] = 42, ["long"] = 1L << 40, ["double"] = 1.5, ["flag"] = true, ["at"] = at, ["id"] = id,
        };
        await sender.SendAsync(sent);
        await sender.SendAsync(new Message("text body") { Properties = new Properties { MessageId = "m-2" } });

        var receiver = silo.Client.CreateReceiver(queue);
        var received = await receiver.ReceiveMessagesAsync(2, Wait);
        Assert.Equal(2, received.Count);
        var first = received[0];
        Assert.Equal(new byte[] { 1, 2, 3, 0xFF }, first.Body.ToArray());
        Assert.Equal("m-1", first.MessageId);
        Assert.Equal("c-1", first.CorrelationId);
        Assert.Equal("order.created", first.Subject);
        Assert.Equal("application/octet-stream", first.ContentType);
        Assert.Equal("billing", first.To);
        Assert.Equal("replies", first.ReplyTo);
        Assert.Equal("reply-session", first.ReplyToSessionId);
        Assert.Equal("session-1", first.SessionId);
        Assert.Equal(TimeSpan.FromMinutes(10), first.TimeToLive);
        Assert.Equal("value", first.ApplicationProperties["text"]);
        Assert.Equal(42, first.ApplicationProperties["int"]);
        Assert.Equal(1L << 40, first.ApplicationProperties["long"]);
        Assert.Equal(1.5, first.ApplicationProperties["double"]);
        Assert.Equal(true, first.ApplicationProperties["flag"]);
        Assert.Equal(at, Assert.IsType<DateTime>(first.ApplicationProperties["at"]));
        Assert.Equal(id, first.ApplicationProperties["id"]);

        // An amqp-value string body arrives as its UTF-8 bytes.
        Assert.Equal("m-2", received[1].MessageId);
        Assert.Equal("text body", received[1].Body.ToString());
        await receiver.CompleteMessagesAsync(received);
    }

    [Fact]
    public async Task LoireSendIsReceivedOverAmqpWithItsPropertiesAndBrokerAnnotations()
    {
        var queue = await silo.CreateQueueAsync("amqp/receive-props");
        var enqueuedAfter = DateTime.UtcNow.AddSeconds(-5);
        var at = new DateTimeOffset(2026, 5, 6, 7, 8, 9, TimeSpan.FromHours(2));
        await silo.Client.CreateSender(queue).SendMessageAsync(new LoireMessage("payload"u8.ToArray())
        {
            MessageId = "m-1", CorrelationId = "c-1", Subject = "s", ContentType = "text/plain", To = "t", ReplyTo = "r",
            ReplyToSessionId = "rs", SessionId = "g", PartitionKey = "g", TimeToLive = TimeSpan.FromMinutes(5),
            ApplicationProperties = { ["text"] = "v", ["n"] = 7, ["at"] = at, ["span"] = TimeSpan.FromSeconds(90) },
        });
        var sequenceNumber = (await silo.Client.CreateReceiver(queue).PeekMessageAsync())!.SequenceNumber;

        var session = await silo.OpenSessionAsync();
        var receiver = new ReceiverLink(session, "receive-props", queue);
        var message = await receiver.ReceiveAsync(Wait);
        Assert.NotNull(message);
        Assert.Equal("payload", Encoding.UTF8.GetString((byte[])message.Body));
        var properties = message.Properties;
        Assert.Equal("m-1", properties.MessageId);
        Assert.Equal("c-1", properties.CorrelationId);
        Assert.Equal("s", properties.Subject);
        Assert.Equal("text/plain", (string)properties.ContentType);
        Assert.Equal("t", properties.To);
        Assert.Equal("r", properties.ReplyTo);
        Assert.Equal("rs", properties.ReplyToGroupId);
        Assert.Equal("g", properties.GroupId);
        Assert.Equal(300_000u, message.Header.Ttl);
        Assert.Equal(0u, message.Header.DeliveryCount);
        Assert.InRange(properties.AbsoluteExpiryTime - properties.CreationTime, TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        Assert.Equal("v", message.ApplicationProperties["text"]);
        Assert.Equal(7, message.ApplicationProperties["n"]);
        Assert.Equal(at.UtcDateTime, message.ApplicationProperties["at"]);
        var span = Assert.IsType<DescribedValue>(message.ApplicationProperties["span"]);
        Assert.Equal(new Symbol("com.microsoft:timespan"), span.Descriptor);
        Assert.Equal(TimeSpan.FromSeconds(90).Ticks, span.Value);
        Assert.Equal(sequenceNumber, message.MessageAnnotations[new Symbol("x-opt-sequence-number")]);
        Assert.Equal("g", message.MessageAnnotations[new Symbol("x-opt-partition-key")]);
        Assert.True((DateTime)message.MessageAnnotations[new Symbol("x-opt-enqueued-time")] > enqueuedAfter);
        Assert.True((DateTime)message.MessageAnnotations[new Symbol("x-opt-locked-until")] > DateTime.UtcNow);

        receiver.Accept(message);
        await EventuallyAsync(async () => (await silo.Admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount == 0, "the accepted message is completed");
    }

    [Fact]
    public async Task ScheduledEnqueueTimeAnnotationSchedulesTheMessage()
    {
        var queue = await silo.CreateQueueAsync("amqp/scheduled");
        var session = await silo.OpenSessionAsync();
        var due = DateTime.UtcNow.AddHours(1);
        var message = new Message("later") { MessageAnnotations = new MessageAnnotations { [new Symbol("x-opt-scheduled-enqueue-time")] = due } };
        await new SenderLink(session, "scheduled", queue).SendAsync(message);

        var runtime = await silo.Admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.Equal(1, runtime.ScheduledMessageCount);
        var peeked = await silo.Client.CreateReceiver(queue).PeekMessageAsync();
        Assert.Equal(due, peeked!.ScheduledEnqueueTime.UtcDateTime, TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task CreditBoundsWhatAReceiverHoldsLocked()
    {
        var queue = await silo.CreateQueueAsync("amqp/credit");
        var sender = silo.Client.CreateSender(queue);
        for (var i = 0; i < 5; i++)
        {
            await sender.SendMessageAsync(new LoireMessage($"m{i}") { MessageId = $"m{i}" });
        }

        var session = await silo.OpenSessionAsync();
        var receiver = new ReceiverLink(session, "credit", queue);
        receiver.SetCredit(2, autoRestore: false);
        var first = await receiver.ReceiveAsync(Wait);
        var second = await receiver.ReceiveAsync(Wait);
        Assert.NotNull(first);
        Assert.NotNull(second);

        // No credit left: nothing more comes, and the broker holds exactly two locked for this link.
        Assert.Null(await receiver.ReceiveAsync(TimeSpan.FromSeconds(1)));
        var runtime = await silo.Admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.Equal(2, runtime.LockedMessageCount);
        Assert.Equal(5, runtime.ActiveMessageCount);

        receiver.Accept(first);
        receiver.Accept(second);
        receiver.SetCredit(3, autoRestore: false);
        var rest = new List<Message>();
        for (var i = 0; i < 3; i++)
        {
            rest.Add(Assert.IsType<Message>(await receiver.ReceiveAsync(Wait)));
        }

        Assert.Equal(["m2", "m3", "m4"], rest.Select(m => m.Properties.MessageId));
        rest.ForEach(receiver.Accept);
        await EventuallyAsync(async () => (await silo.Admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount == 0, "all five are completed");
    }

    [Fact]
    public async Task EachOutcomeSettlesTheMessageInLoire()
    {
        var queue = await silo.CreateQueueAsync("amqp/outcomes");
        var loireReceiver = silo.Client.CreateReceiver(queue);
        var session = await silo.OpenSessionAsync();
        var receiver = new ReceiverLink(session, "outcomes", queue);

        // One credit at a time, so a message given back goes to the Loire receiver, not back to this link.
        async Task<Message> ReceiveOneAsync()
        {
            receiver.SetCredit(1, autoRestore: false);
            return Assert.IsType<Message>(await receiver.ReceiveAsync(Wait));
        }

        async Task<Message> SendAndReceiveAsync(string id)
        {
            await silo.Client.CreateSender(queue).SendMessageAsync(new LoireMessage(id) { MessageId = id });
            return await ReceiveOneAsync();
        }

        // accepted -> complete
        receiver.Accept(await SendAndReceiveAsync("accepted"));
        await EventuallyAsync(async () => (await silo.Admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount == 0, "accepted completes");

        // released -> abandon: available again, its delivery counted
        receiver.Release(await SendAndReceiveAsync("released"));
        var released = await loireReceiver.ReceiveMessageAsync(Wait);
        Assert.Equal("released", released!.MessageId);
        Assert.Equal(2, released.DeliveryCount);
        await loireReceiver.CompleteMessageAsync(released);

        // modified with delivery-failed -> abandon; the next AMQP delivery counts one prior attempt
        var modified = await SendAndReceiveAsync("modified");
        Assert.Equal(0u, modified.Header.DeliveryCount);
        receiver.Modify(modified, deliveryFailed: true);
        var again = await ReceiveOneAsync();
        Assert.Equal("modified", again.Properties.MessageId);
        Assert.Equal(1u, again.Header.DeliveryCount);
        receiver.Accept(again);

        // rejected -> dead-letter, with the error's condition as reason and its description
        receiver.Reject(await SendAndReceiveAsync("rejected"), new Error(new Symbol("app:bad-order")) { Description = "amount is missing" });
        var deadLetters = silo.Client.CreateReceiver(queue, new LoireReceiverOptions { SubQueue = SubQueue.DeadLetter });
        var dead = await deadLetters.ReceiveMessageAsync(Wait);
        Assert.Equal("rejected", dead!.MessageId);
        Assert.Equal("app:bad-order", dead.DeadLetterReason);
        Assert.Equal("amount is missing", dead.DeadLetterErrorDescription);
        await deadLetters.CompleteMessageAsync(dead);
        await EventuallyAsync(async () => (await silo.Admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount == 0, "nothing is left");
    }

    [Fact]
    public async Task ClosingAReceiverReleasesWhatItHeldUnsettled()
    {
        var queue = await silo.CreateQueueAsync("amqp/close-releases");
        await silo.Client.CreateSender(queue).SendMessageAsync(new LoireMessage("held") { MessageId = "held" });
        var session = await silo.OpenSessionAsync();
        var receiver = new ReceiverLink(session, "close-releases", queue);
        Assert.NotNull(await receiver.ReceiveAsync(Wait));
        await receiver.CloseAsync();

        // Back long before its 60 s lock would have expired.
        var again = await silo.Client.CreateReceiver(queue).ReceiveMessageAsync(Wait);
        Assert.Equal("held", again!.MessageId);
        Assert.Equal(2, again.DeliveryCount);
    }

    [Fact]
    public async Task AnOutcomeAfterTheLockExpiredChangesNothing()
    {
        var queue = await silo.CreateQueueAsync("amqp/lock-expiry", o => o.LockDuration = TimeSpan.FromSeconds(1));
        await silo.Client.CreateSender(queue).SendMessageAsync(new LoireMessage("slow") { MessageId = "slow" });
        var session = await silo.OpenSessionAsync();
        var receiver = new ReceiverLink(session, "lock-expiry", queue);
        receiver.SetCredit(1, autoRestore: false);
        var late = Assert.IsType<Message>(await receiver.ReceiveAsync(Wait));

        // The lock expires: the message goes to another receiver, as for any .NET receiver.
        var loireReceiver = silo.Client.CreateReceiver(queue);
        var redelivered = await loireReceiver.ReceiveMessageAsync(Wait);
        Assert.Equal("slow", redelivered!.MessageId);
        Assert.Equal(2, redelivered.DeliveryCount);

        receiver.Accept(late);
        var sequenceNumber = (long)late.MessageAnnotations[new Symbol("x-opt-sequence-number")];
        await EventuallyAsync(() => Task.FromResult(silo.Silo.Output.Contains($"AMQP outcome Accepted for message {sequenceNumber} of {queue} came too late (MessageLockLost)", StringComparison.Ordinal)),
            "the silo logs the late outcome");

        // The other receiver's lock still holds.
        await loireReceiver.CompleteMessageAsync(redelivered);
        Assert.Equal(0, (await silo.Admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }

    [Fact]
    public async Task MissingEntitiesAndOversizedMessagesGetAmqpErrors()
    {
        var session = await silo.OpenSessionAsync();
        var missingSender = new SenderLink(session, "missing-sender", "amqp/missing");
        var sendError = await Assert.ThrowsAsync<AmqpException>(() => missingSender.SendAsync(new Message("x")));
        Assert.Equal(new Symbol("amqp:not-found"), sendError.Error.Condition);

        var missingReceiver = new ReceiverLink(session, "missing-receiver", "amqp/missing");
        var receiveError = await ClosedAsync(missingReceiver).WaitAsync(Wait);
        Assert.Equal(new Symbol("amqp:not-found"), receiveError!.Condition);

        var queue = await silo.CreateQueueAsync("amqp/small", o => o.MaxMessageSizeInKilobytes = 1);
        var sender = new SenderLink(session, "small", queue);
        var tooBig = await Assert.ThrowsAsync<AmqpException>(() => sender.SendAsync(new Message { BodySection = new Data { Binary = new byte[4096] } }));
        Assert.Equal(new Symbol("amqp:link:message-size-exceeded"), tooBig.Error.Condition);
        Assert.Equal("MessageSizeExceeded", tooBig.Error.Info[new Symbol("loire:reason")]);

        // The refusal changed nothing, and the link still works.
        await sender.SendAsync(new Message("small") { Properties = new Properties { MessageId = "ok" } });
        var runtime = await silo.Admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.Equal(1, runtime.TotalMessageCount);

        await silo.Admin.CreateTopicAsync(new CreateTopicOptions("amqp/topic-only"));
        var topicReceiver = new ReceiverLink(session, "topic-receiver", "amqp/topic-only");
        Assert.Equal(new Symbol("amqp:not-allowed"), (await ClosedAsync(topicReceiver).WaitAsync(Wait))!.Condition);
    }

    [Fact]
    public async Task SubscriptionsAndDeadLetterQueuesHaveServiceBusAddresses()
    {
        await silo.Admin.CreateTopicAsync(new CreateTopicOptions("amqp/events"));
        await silo.Admin.CreateSubscriptionAsync(new CreateSubscriptionOptions("amqp/events", "audit"));
        var session = await silo.OpenSessionAsync();
        await new SenderLink(session, "events", "amqp/events").SendAsync(new Message("event") { Properties = new Properties { MessageId = "e-1" } });

        var receiver = new ReceiverLink(session, "audit", "amqp/events/Subscriptions/audit");
        var message = Assert.IsType<Message>(await receiver.ReceiveAsync(Wait));
        Assert.Equal("e-1", message.Properties.MessageId);
        receiver.Reject(message, new Error(new Symbol("app:not-wanted")));

        var deadLetters = new ReceiverLink(session, "audit-dlq", "amqp/events/Subscriptions/audit/$DeadLetterQueue");
        var dead = Assert.IsType<Message>(await deadLetters.ReceiveAsync(Wait));
        Assert.Equal("e-1", dead.Properties.MessageId);
        Assert.Equal("app:not-wanted", dead.ApplicationProperties["DeadLetterReason"]);
        deadLetters.Accept(dead);
        await EventuallyAsync(async () => (await silo.Admin.GetSubscriptionRuntimePropertiesAsync("amqp/events", "audit")).TotalMessageCount == 0, "the dead letter is completed");
    }

    [Fact]
    public async Task SaslPlainConnectsAndAPreSettledReceiverReceivesAndDeletes()
    {
        var queue = await silo.CreateQueueAsync("amqp/presettled");
        await silo.Client.CreateSender(queue).SendMessageAsync(new LoireMessage("once") { MessageId = "once" });
        var session = await silo.OpenSessionAsync("app:secret");
        var attach = new Attach
        {
            Source = new Source { Address = queue },
            Target = new Target(),
            SndSettleMode = SenderSettleMode.Settled,
            RcvSettleMode = ReceiverSettleMode.First,
        };
        var receiver = new ReceiverLink(session, "presettled", attach, null);
        var message = Assert.IsType<Message>(await receiver.ReceiveAsync(Wait));
        Assert.Equal("once", message.Properties.MessageId);

        // Nothing to settle: the broker deleted it when it sent it.
        var runtime = await silo.Admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.Equal(0, runtime.TotalMessageCount);
    }
}
