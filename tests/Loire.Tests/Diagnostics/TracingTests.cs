using System.Diagnostics;
using Loire.Client;
using Loire.Client.Administration;
using Loire.Tests.Infrastructure;
using Loire.Tests.Processing;
using Loire.Tests.Queues;
using OpenTelemetry;
using OpenTelemetry.Trace;
using static Loire.Tests.Processing.ProcessorTestKit;

namespace Loire.Tests.Diagnostics;

/// <summary>
/// Spans of source "Loire" through one OpenTelemetry tracer provider: the test cluster runs client, grains and
/// processor in this process, so the provider sees the send, the broker's commit and delivery, and the processing.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class TracingTests(ClusterFixture fixture)
{
    private const string UserTraceId = "0af7651916cd43dd8448eb211c80319c";
    private const string UserSpanId = "b7ad6b7169203331";
    private const string UserTraceParent = $"00-{UserTraceId}-{UserSpanId}-01";

    private readonly LoireClient _client = fixture.Client;
    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    [Fact]
    public async Task SendCommitDeliveryAndProcessingAreOneTrace()
    {
        var queue = await _admin.CreateQueueAsync();
        var spans = new List<Activity>();
        using var provider = Sdk.CreateTracerProviderBuilder().AddSource("Loire").AddInMemoryExporter(spans).Build();

        await using (var sender = _client.CreateSender(queue))
        {
            await sender.SendMessageAsync(QueueTestKit.Message("m-1"));
        }

        var handled = new TaskCompletionSource<Activity?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new ErrorCollector();
        await using var processor = _client.CreateProcessor(queue);
        processor.ProcessMessageAsync += _ =>
        {
            handled.TrySetResult(Activity.Current);
            return Task.CompletedTask;
        };
        processor.ProcessErrorAsync += errors.Handler;
        await processor.StartProcessingAsync();
        await handled.Task.WaitAsync(Patience);
        await processor.StopProcessingAsync();
        errors.AssertNone();

        var of = await SpansAsync(spans, queue, "Loire.Send", "Loire.Commit", "Loire.Deliver", "Loire.Receive", "Loire.Process");
        var send = Assert.Single(of["Loire.Send"]);
        Assert.Equal(ActivityKind.Producer, send.Kind);
        Assert.Equal(default, send.ParentSpanId);
        Assert.Equal("m-1", send.GetTagItem("messaging.message.id"));
        Assert.Equal("send", send.GetTagItem("messaging.operation.type"));

        // The broker reads the context from the message: its commit and delivery are children of the send.
        var commit = Assert.Single(of["Loire.Commit"]);
        AssertChildOf(send, commit);
        Assert.Equal("loire", commit.GetTagItem("messaging.system"));
        Assert.Equal("send", commit.GetTagItem("messaging.operation.type"));
        Assert.Equal("m-1", commit.GetTagItem("messaging.message.id"));
        var deliver = Assert.Single(of["Loire.Deliver"]);
        AssertChildOf(send, deliver);
        Assert.Equal("receive", deliver.GetTagItem("messaging.operation.type"));
        Assert.Equal(1, deliver.GetTagItem("messaging.loire.message.delivery_count"));
        Assert.True(commit.StartTimeUtc <= deliver.StartTimeUtc);

        // The processor's receive links to the message; its processing continues the send's trace.
        var receive = Assert.Single(of["Loire.Receive"]);
        Assert.Equal(ActivityKind.Consumer, receive.Kind);
        Assert.Equal(send.Context.SpanId, Assert.Single(receive.Links).Context.SpanId);
        Assert.Equal(send.TraceId, Assert.Single(receive.Links).Context.TraceId);
        var process = Assert.Single(of["Loire.Process"]);
        AssertChildOf(send, process);
        Assert.Equal(process.SpanId, (await handled.Task)?.SpanId);
    }

    [Fact]
    public async Task ATraceparentTheApplicationSetIsContinuedWithItsTracestate()
    {
        var queue = await _admin.CreateQueueAsync();
        var spans = new List<Activity>();
        using var provider = Sdk.CreateTracerProviderBuilder().AddSource("Loire").AddInMemoryExporter(spans).Build();

        var message = QueueTestKit.Message("user-traced");
        message.ApplicationProperties["traceparent"] = UserTraceParent;
        message.ApplicationProperties["tracestate"] = "vendor=abc";
        await using (var sender = _client.CreateSender(queue))
        {
            await sender.SendMessageAsync(message);
        }

        await using var receiver = _client.CreateReceiver(queue);
        var received = await receiver.ReceiveMessageAsync(Patience);
        Assert.NotNull(received);
        Assert.Equal(UserTraceParent, received.ApplicationProperties["traceparent"]);
        Assert.Equal("vendor=abc", received.ApplicationProperties["tracestate"]);

        var of = await SpansAsync(spans, queue, "Loire.Send", "Loire.Commit", "Loire.Deliver", "Loire.Receive");
        foreach (var span in new[] { of["Loire.Send"][0], of["Loire.Commit"][0], of["Loire.Deliver"][0] })
        {
            Assert.Equal(UserTraceId, span.TraceId.ToHexString());
            Assert.Equal(UserSpanId, span.ParentSpanId.ToHexString());
            Assert.Equal("vendor=abc", span.TraceStateString);
        }

        var link = Assert.Single(Assert.Single(of["Loire.Receive"]).Links);
        Assert.Equal(UserTraceId, link.Context.TraceId.ToHexString());
        Assert.Equal(UserSpanId, link.Context.SpanId.ToHexString());
        Assert.Equal("vendor=abc", link.Context.TraceState);
    }

    [Fact]
    public async Task ABatchOfMessagesFromTwoTracesIsOneCommitAndOneDeliveryLinkedToBoth()
    {
        var queue = await _admin.CreateQueueAsync();
        var spans = new List<Activity>();
        using var provider = Sdk.CreateTracerProviderBuilder().AddSource("Loire").AddInMemoryExporter(spans).Build();

        var traceIds = new[] { ActivityTraceId.CreateRandom(), ActivityTraceId.CreateRandom() };
        var spanIds = new[] { ActivitySpanId.CreateRandom(), ActivitySpanId.CreateRandom() };
        var batch = Enumerable.Range(0, 2).Select(i =>
        {
            var m = QueueTestKit.Message($"b-{i}");
            m.ApplicationProperties["traceparent"] = $"00-{traceIds[i].ToHexString()}-{spanIds[i].ToHexString()}-01";
            return m;
        }).ToList();
        batch.Add(QueueTestKit.Message("b-untraced"));
        await using (var sender = _client.CreateSender(queue))
        {
            await sender.SendMessagesAsync(batch);
        }

        await using var receiver = _client.CreateReceiver(queue);
        var received = await QueueTestKit.ReceiveAtLeastAsync(receiver, 3);
        var of = await SpansAsync(spans, queue, "Loire.Send", "Loire.Commit", "Loire.Deliver");

        // The send links to both application contexts; the untraced message carries the send's own context.
        var send = Assert.Single(of["Loire.Send"]);
        Assert.Equal(default, send.ParentSpanId);
        Assert.Equal(3, send.GetTagItem("messaging.batch.message_count"));
        Assert.Equal(Hex(spanIds), Hex(send.Links.Select(l => l.Context.SpanId)));
        Assert.Equal($"00-{send.TraceId.ToHexString()}-{send.SpanId.ToHexString()}-01",
            Assert.Single(received, m => m.MessageId == "b-untraced").ApplicationProperties["traceparent"]);

        // One commit for the batch, linked to each distinct context, with no parent among them.
        var commit = Assert.Single(of["Loire.Commit"]);
        Assert.Equal(3, commit.GetTagItem("messaging.batch.message_count"));
        Assert.Null(commit.GetTagItem("messaging.message.id"));
        Assert.Equal(Hex(spanIds.Append(send.SpanId)), Hex(commit.Links.Select(l => l.Context.SpanId)));
        Assert.DoesNotContain(commit.ParentSpanId, spanIds.Append(send.SpanId));
        var delivered = of["Loire.Deliver"].SelectMany(d => d.Links).Select(l => l.Context.SpanId);
        Assert.Equal(Hex(spanIds.Append(send.SpanId)), Hex(delivered));
    }

    [Fact]
    public async Task WithNobodyListeningNoSpanStartsAndNoTraceparentIsAdded()
    {
        var queue = await _admin.CreateQueueAsync();
        var recorded = 0;
        // Listening without sampling: the sources have a listener, yet every span is refused.
        using var unsampled = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Loire",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.None,
            ActivityStarted = _ => Interlocked.Increment(ref recorded),
        };

        await using var sender = _client.CreateSender(queue);
        await using var receiver = _client.CreateReceiver(queue);
        await sender.SendMessageAsync(QueueTestKit.Message("quiet-1"));
        var quiet = await receiver.ReceiveMessageAsync(Patience);
        ActivitySource.AddActivityListener(unsampled);
        await sender.SendMessageAsync(QueueTestKit.Message("quiet-2"));
        var refused = await receiver.ReceiveMessageAsync(Patience);

        Assert.Null(Activity.Current);
        Assert.NotNull(quiet);
        Assert.NotNull(refused);
        Assert.Empty(quiet.ApplicationProperties);
        Assert.Empty(refused.ApplicationProperties);
        Assert.Equal(0, recorded);
    }

    [Fact]
    public async Task SettlementsAreSpansOfTheMessagesTrace()
    {
        var queue = await _admin.CreateQueueAsync();
        var spans = new List<Activity>();
        using var provider = Sdk.CreateTracerProviderBuilder().AddSource("Loire").AddInMemoryExporter(spans).Build();
        await using var sender = _client.CreateSender(queue);
        await using var receiver = _client.CreateReceiver(queue);

        // One message per settlement kind, each settled alone: its span is a child of that message's send.
        foreach (var (id, settle) in new (string, Func<LoireReceivedMessage, Task>)[]
        {
            ("m-complete", m => receiver.CompleteMessageAsync(m)),
            ("m-dead", m => receiver.DeadLetterMessageAsync(m, "poison")),
            ("m-defer", m => receiver.DeferMessageAsync(m)),
            ("m-abandon", m => receiver.AbandonMessageAsync(m)), // last: an abandoned message comes back first
        })
        {
            await sender.SendMessageAsync(QueueTestKit.Message(id));
            var message = (await receiver.ReceiveMessageAsync(Patience))!;
            Assert.Equal(id, message.MessageId);
            await settle(message);
        }

        var of = await SpansAsync(spans, queue, "Loire.Send", "Loire.Settle");
        var settles = await SettleSpansAsync(spans, queue, 4);
        foreach (var (id, operation) in new[] { ("m-complete", "complete"), ("m-abandon", "abandon"), ("m-dead", "dead_letter"), ("m-defer", "defer") })
        {
            var send = Assert.Single(of["Loire.Send"], s => Equals(s.GetTagItem("messaging.message.id"), id));
            var settle = Assert.Single(settles, s => Equals(s.GetTagItem("messaging.message.id"), id));
            AssertChildOf(send, settle);
            Assert.Equal(operation, settle.GetTagItem("messaging.operation.name"));
            Assert.Equal("settle", settle.GetTagItem("messaging.operation.type"));
            Assert.Equal(1, settle.GetTagItem("messaging.loire.message.delivery_count"));
        }
    }

    [Fact]
    public async Task TopicRoutingForwardingAndScheduledPromotionAreSpansOfTheMessagesTrace()
    {
        var target = await _admin.CreateQueueAsync();
        var forwarding = await _admin.CreateQueueAsync(o => o.ForwardTo = target);
        var topic = TopicTestKitName();
        await _admin.CreateTopicAsync(topic);
        await _admin.CreateSubscriptionAsync(topic, "a");
        await _admin.CreateSubscriptionAsync(topic, "b");
        var spans = new List<Activity>();
        using var provider = Sdk.CreateTracerProviderBuilder().AddSource("Loire").AddInMemoryExporter(spans).Build();

        await using (var topicSender = _client.CreateSender(topic))
        {
            await topicSender.SendMessageAsync(QueueTestKit.Message("routed"));
        }

        var routing = await SpansAsync(spans, topic, "Loire.Send", "Loire.Route");
        var route = Assert.Single(routing["Loire.Route"]);
        AssertChildOf(Assert.Single(routing["Loire.Send"]), route);
        Assert.Equal("route", route.GetTagItem("messaging.operation.name"));
        Assert.Equal(2, route.GetTagItem("messaging.loire.subscription_count"));

        await using (var forwardSender = _client.CreateSender(forwarding))
        {
            await forwardSender.SendMessageAsync(QueueTestKit.Message("forwarded"));
        }

        var forwardingSpans = await SpansAsync(spans, forwarding, "Loire.Send", "Loire.Forward");
        var forward = Assert.Single(forwardingSpans["Loire.Forward"]);
        AssertChildOf(Assert.Single(forwardingSpans["Loire.Send"]), forward);
        Assert.Equal(target, forward.GetTagItem("messaging.loire.forward_to"));

        // A scheduled message's promotion to active is a span of its trace, when its time comes.
        var scheduled = await _admin.CreateQueueAsync();
        await using (var scheduler = _client.CreateSender(scheduled))
        {
            await scheduler.ScheduleMessageAsync(QueueTestKit.Message("later"), DateTimeOffset.UtcNow.AddMilliseconds(300));
        }

        var promotion = await SpansAsync(spans, scheduled, "Loire.Send", "Loire.Promote");
        var promote = Assert.Single(promotion["Loire.Promote"]);
        AssertChildOf(Assert.Single(promotion["Loire.Send"]), promote);
        Assert.Equal("later", promote.GetTagItem("messaging.message.id"));
    }

    private static string TopicTestKitName() => "topics/tracing-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The Loire.Settle spans of <paramref name="queue"/> once there are <paramref name="count"/>.</summary>
    private static async Task<List<Activity>> SettleSpansAsync(List<Activity> exported, string queue, int count)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            List<Activity> settles;
            lock (exported)
            {
                settles = [.. exported.Where(a => a.OperationName == "Loire.Settle" && Equals(a.GetTagItem("messaging.destination.name"), queue))];
            }

            if (settles.Count >= count || DateTime.UtcNow > deadline)
            {
                return settles;
            }

            await Task.Delay(20);
        }
    }

    private static string[] Hex(IEnumerable<ActivitySpanId> ids) => [.. ids.Select(id => id.ToHexString()).Order(StringComparer.Ordinal)];

    private static void AssertChildOf(Activity parent, Activity child)
    {
        Assert.Equal(parent.TraceId, child.TraceId);
        Assert.Equal(parent.SpanId, child.ParentSpanId);
    }

    /// <summary>The exported spans of <paramref name="queue"/> by name, once each name has one; spans end after the call they describe.</summary>
    private static async Task<Dictionary<string, List<Activity>>> SpansAsync(List<Activity> exported, string queue, params string[] names)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            Activity[] snapshot;
            lock (exported)
            {
                snapshot = [.. exported];
            }

            var of = names.ToDictionary(n => n, n => snapshot
                .Where(a => a.OperationName == n && Equals(a.GetTagItem("messaging.destination.name"), queue)).ToList());
            if (of.Values.All(l => l.Count > 0))
            {
                return of;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Spans missing: {string.Join(", ", of.Where(kv => kv.Value.Count == 0).Select(kv => kv.Key))}.");
            }

            await Task.Delay(20);
        }
    }
}
