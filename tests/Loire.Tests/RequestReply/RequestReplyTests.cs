using System.Collections.Concurrent;
using Loire.Client;
using Loire.Client.Administration;
using Loire.Tests.Infrastructure;
using Loire.Tests.Queues;
using static Loire.Tests.Queues.QueueTestKit;

namespace Loire.Tests.RequestReply;

[Collection(ClusterCollection.Name)]
public sealed class RequestReplyTests(ClusterFixture fixture) : IAsyncLifetime
{
    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _responders = [];

    // Each test requests through its own client, so each has its own reply queue.
    private LoireClient _requester = null!;

    public Task InitializeAsync()
    {
        _requester = new LoireClient(fixture.Cluster.Client);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_responders);
        await _requester.DisposeAsync();
    }

    [Fact]
    public async Task RequestGetsTheReplyCorrelatedWithItsMessageId()
    {
        var queue = await _admin.CreateTestQueueAsync();
        var requests = new ConcurrentQueue<LoireReceivedMessage>();
        StartResponder(queue, request =>
        {
            requests.Enqueue(request);
            return LoireMessage.CreateReply(request, BinaryData.FromString(request.Body.ToString().ToUpperInvariant()));
        });

        var message = new LoireMessage("ping") { Subject = "echo" };
        var reply = await _requester.RequestAsync(queue, message, Patience);

        Assert.Equal("PING", reply.Body.ToString());
        Assert.NotNull(message.MessageId);
        Assert.Equal(message.MessageId, reply.CorrelationId);
        var request = Assert.Single(requests);
        Assert.Equal(message.MessageId, request.MessageId);
        Assert.Equal("echo", request.Subject);
        Assert.StartsWith("replies/", request.ReplyTo);
        Assert.Equal(request.ReplyTo, message.ReplyTo);
        Assert.True(request.TimeToLive <= Patience, $"The request lives {request.TimeToLive}, longer than the requester waits.");

        // The reply was completed: the reply queue is empty, and it cleans up after an idle client.
        var replyQueue = await _admin.GetQueueAsync(request.ReplyTo!);
        Assert.Equal(TimeSpan.FromMinutes(5), replyQueue.AutoDeleteOnIdle);
        await _admin.RuntimePropertiesWhenAsync(request.ReplyTo!, p => p.TotalMessageCount == 0, "the reply to be completed");
    }

    [Fact]
    public async Task ConcurrentRequestsEachGetTheirOwnReply()
    {
        const int count = 20;
        var queue = await _admin.CreateTestQueueAsync();

        // Replies go out in an order unrelated to the requests': the responder answers a batch backwards.
        StartBatchResponder(queue, batch => batch.Reverse().Select(request =>
            (request, (LoireMessage?)LoireMessage.CreateReply(request, BinaryData.FromString("re:" + request.Body)))));

        var replies = await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            var message = new LoireMessage($"q{i}") { MessageId = $"request-{i}" };
            var reply = await _requester.RequestAsync(queue, message, Patience);
            return (Index: i, Reply: reply);
        }));

        Assert.All(replies, r =>
        {
            Assert.Equal($"re:q{r.Index}", r.Reply.Body.ToString());
            Assert.Equal($"request-{r.Index}", r.Reply.CorrelationId);
        });
        Assert.Equal(0, _requester.ReplyChannel!.PendingCount);
    }

    [Fact]
    public async Task RequestWithoutReplyTimesOutAndALateReplyIsDropped()
    {
        var queue = await _admin.CreateTestQueueAsync();
        // An explicit time to live is kept (only the default becomes the timeout), so the late responder still finds it.
        var message = new LoireMessage("anyone?") { MessageId = "lonely", TimeToLive = TimeSpan.FromMinutes(1) };

        var started = DateTimeOffset.UtcNow;
        await ThrowsLoireAsync(LoireErrorReason.ServiceTimeout,
            () => _requester.RequestAsync(queue, message, TimeSpan.FromSeconds(1)));
        var elapsed = DateTimeOffset.UtcNow - started;

        Assert.True(elapsed >= TimeSpan.FromSeconds(1) - TimeSpan.FromMilliseconds(50) && elapsed < TimeSpan.FromSeconds(5), $"Timed out after {elapsed}.");
        Assert.Equal(0, _requester.ReplyChannel!.PendingCount);

        // A responder that comes too late: its reply is completed and dropped.
        await using var responder = fixture.Client.CreateReceiver(queue);
        var request = await responder.ReceiveMessageAsync(Patience);
        Assert.Equal("lonely", request?.MessageId);
        await fixture.Client.SendReplyAsync(request!, new LoireMessage("too late"));
        await responder.CompleteMessageAsync(request!);
        await _admin.RuntimePropertiesWhenAsync(request!.ReplyTo!, p => p.TotalMessageCount == 0, "the late reply to be dropped");

        // The client still works, and the late reply is not mistaken for the next one.
        StartResponder(queue, r => LoireMessage.CreateReply(r, BinaryData.FromString("on time")));
        var reply = await _requester.RequestAsync(queue, new LoireMessage("again"), Patience);
        Assert.Equal("on time", reply.Body.ToString());
    }

    [Fact]
    public async Task CancellingARequestThrowsOperationCanceledNotTimeout()
    {
        var queue = await _admin.CreateTestQueueAsync();
        using var cancel = new CancellationTokenSource();
        var request = _requester.RequestAsync(queue, new LoireMessage("never answered"), Patience, cancel.Token);
        await _admin.RuntimePropertiesWhenAsync(queue, p => p.ActiveMessageCount == 1, "the request to arrive");

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
        Assert.Equal(0, _requester.ReplyChannel!.PendingCount);
    }

    [Fact]
    public async Task TwoPendingRequestsWithTheSameMessageIdAreRefused()
    {
        var queue = await _admin.CreateTestQueueAsync();
        var first = _requester.RequestAsync(queue, new LoireMessage("1") { MessageId = "same" }, Patience);
        await _admin.RuntimePropertiesWhenAsync(queue, p => p.ActiveMessageCount == 1, "the first request to arrive");

        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument,
            () => _requester.RequestAsync(queue, new LoireMessage("2") { MessageId = "same" }, Patience));

        StartResponder(queue, r => LoireMessage.CreateReply(r, BinaryData.FromString("first")));
        Assert.Equal("first", (await first).Body.ToString());
    }

    [Fact]
    public async Task RequestToAMissingEntityFailsWithNotFound()
    {
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound,
            () => _requester.RequestAsync(NewQueueName(), new LoireMessage("x"), Patience));
        Assert.Equal(0, _requester.ReplyChannel!.PendingCount);
    }

    [Fact]
    public async Task BadArgumentsAreRefusedBeforeAnythingIsSent()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _requester.RequestAsync("rpc", new LoireMessage("x"), TimeSpan.Zero));
        await Assert.ThrowsAsync<ArgumentNullException>(() => _requester.RequestAsync("rpc", null!, Patience));
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument, () => _requester.RequestAsync("bad//path", new LoireMessage("x"), Patience));
        Assert.Null(_requester.ReplyChannel);
    }

    [Fact]
    public async Task DisposingTheClientDeletesItsReplyQueueAndFailsPendingRequests()
    {
        var queue = await _admin.CreateTestQueueAsync();
        StartResponder(queue, r => r.Subject == "ignore" ? null : LoireMessage.CreateReply(r, BinaryData.FromString("ok")));
        var client = new LoireClient(fixture.Cluster.Client);
        await client.RequestAsync(queue, new LoireMessage("warm-up"), Patience);
        var replyQueue = client.ReplyChannel!.QueuePath;
        Assert.True(await _admin.QueueExistsAsync(replyQueue));
        var pending = client.RequestAsync(queue, new LoireMessage("unanswered") { Subject = "ignore" }, Patience);
        await Eventually.TrueAsync(() => Task.FromResult(client.ReplyChannel.PendingCount == 1), Patience);

        await client.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => pending);
        Assert.False(await _admin.QueueExistsAsync(replyQueue));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.RequestAsync(queue, new LoireMessage("after"), Patience));
    }

    [Fact]
    public async Task ReplyQueueDeletedBehindTheClientsBackIsCreatedAgain()
    {
        var queue = await _admin.CreateTestQueueAsync();
        StartResponder(queue, r => LoireMessage.CreateReply(r, BinaryData.FromString("pong")));
        await _requester.RequestAsync(queue, new LoireMessage("ping"), Patience);
        var replyQueue = _requester.ReplyChannel!.QueuePath;

        await _admin.DeleteQueueAsync(replyQueue);

        Assert.True(await Eventually.TrueAsync(() => _admin.QueueExistsAsync(replyQueue), Patience), "The reply queue was not created again.");
        var reply = await _requester.RequestAsync(queue, new LoireMessage("ping"), Patience);
        Assert.Equal("pong", reply.Body.ToString());
    }

    [Fact]
    public async Task SendReplyNeedsAReplyTo()
    {
        var queue = await _admin.CreateTestQueueAsync();
        await using var sender = fixture.Client.CreateSender(queue);
        await sender.SendMessageAsync(Message("no-reply-to"));
        await using var receiver = fixture.Client.CreateReceiver(queue);
        var request = await receiver.ReceiveMessageAsync(Patience);

        await Assert.ThrowsAsync<InvalidOperationException>(() => fixture.Client.SendReplyAsync(request!, new LoireMessage("x")));
    }

    /// <summary>Answers every request on <paramref name="queue"/> with what <paramref name="respond"/> returns (null: no answer).</summary>
    private void StartResponder(string queue, Func<LoireReceivedMessage, LoireMessage?> respond) =>
        StartBatchResponder(queue, batch => batch.Select(request => (request, respond(request))));

    /// <summary>Answers each batch of requests with the (request, reply) pairs <paramref name="respond"/> returns, in that order.</summary>
    private void StartBatchResponder(string queue,
        Func<IReadOnlyList<LoireReceivedMessage>, IEnumerable<(LoireReceivedMessage Request, LoireMessage? Reply)>> respond)
    {
        var stop = _stop.Token;
        _responders.Add(Task.Run(async () =>
        {
            await using var receiver = fixture.Client.CreateReceiver(queue);
            while (true)
            {
                IReadOnlyList<LoireReceivedMessage> batch;
                try
                {
                    batch = await receiver.ReceiveMessagesAsync(50, TimeSpan.FromSeconds(1), stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                foreach (var (request, reply) in respond(batch))
                {
                    if (reply is not null)
                    {
                        await fixture.Client.SendReplyAsync(request, reply);
                    }
                }

                if (batch.Count > 0)
                {
                    await receiver.CompleteMessagesAsync(batch);
                }
            }
        }));
    }
}
