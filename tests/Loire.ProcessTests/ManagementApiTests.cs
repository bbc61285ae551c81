using System.Text;
using System.Text.Json.Nodes;
using Loire.Client;
using Loire.Client.Administration;
using Loire.ProcessTests.Infrastructure;
using static Loire.ProcessTests.Infrastructure.ManagementSilo;

namespace Loire.ProcessTests;

/// <summary>
/// The management API of a real silo process, end to end with the .NET client: what the API creates, the client
/// uses, and what the client does, the API shows. Every refused request is read back to prove it changed nothing.
/// </summary>
[Collection(SiloProcessCollection.Name)]
public sealed class ManagementApiTests(ManagementSilo silo) : IClassFixture<ManagementSilo>
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task QueueDeadLettersArePeekedResubmittedAndReceivedAgain()
    {
        // A '/' inside a path travels as %2F.
        var created = await silo.SendAsync(HttpMethod.Put, "queues/mgmt%2Fdlq", Json(new { settings = new { maxDeliveryCount = 3, lockDuration = "00:00:20" } }));
        Assert.Equal(201, created.Status);
        Assert.Equal("mgmt/dlq", (string?)created.Body!["path"]);
        Assert.Equal("queue", (string?)created.Body["kind"]);
        Assert.Equal(3, (int?)created.Body["settings"]!["maxDeliveryCount"]);
        Assert.Equal("00:00:20", (string?)created.Body["settings"]!["lockDuration"]);
        Assert.Equal(3, (await silo.Client.CreateAdministrationClient().GetQueueAsync("mgmt/dlq")).MaxDeliveryCount);

        var sender = silo.Client.CreateSender("mgmt/dlq");
        await sender.SendMessageAsync(new LoireMessage("first text"u8.ToArray()) { MessageId = "m-1", Subject = "s-1", ApplicationProperties = { ["priority"] = "high", ["amount"] = 42 } });
        await sender.SendMessageAsync(new LoireMessage(new byte[] { 0, 1, 2, 0xFF, 0xFE, 5, 6, 7, 8, 9 }) { MessageId = "m-2" });

        var peek = await silo.GetAsync("queues/mgmt%2Fdlq/messages?maxCount=10&previewBytes=4");
        Assert.Equal(200, peek.Status);
        var messages = peek.Body!["messages"]!.AsArray();
        Assert.Equal(2, messages.Count);
        Assert.Equal("m-1", (string?)messages[0]!["messageId"]);
        Assert.Equal("s-1", (string?)messages[0]!["subject"]);
        Assert.Equal("high", (string?)messages[0]!["applicationProperties"]!["priority"]);
        Assert.Equal(42, (int?)messages[0]!["applicationProperties"]!["amount"]);
        AssertBody(messages[0]!, "text", "firs", size: 10, truncated: true);
        AssertBody(messages[1]!, "base64", Convert.ToBase64String(new byte[] { 0, 1, 2, 0xFF }), size: 10, truncated: true);

        // From a sequence number on: only the second message.
        var second = (long)messages[1]!["sequenceNumber"]!;
        var fromSecond = await silo.GetAsync($"queues/mgmt%2Fdlq/messages?fromSequenceNumber={second}");
        Assert.Equal(["m-2"], fromSecond.Body!["messages"]!.AsArray().Select(m => (string?)m!["messageId"]));
        AssertBody(fromSecond.Body["messages"]![0]!, "base64", Convert.ToBase64String(new byte[] { 0, 1, 2, 0xFF, 0xFE, 5, 6, 7, 8, 9 }), size: 10, truncated: false);

        // Dead-letter both through the client; the API sees them in the dead-letter sub-queue with the reason.
        var receiver = silo.Client.CreateReceiver("mgmt/dlq");
        foreach (var message in await ReceiveAsync(receiver, 2))
        {
            await receiver.DeadLetterMessageAsync(message, "poison", "bad payload");
        }

        var deadLetters = (await silo.GetAsync("queues/mgmt%2Fdlq/messages?subQueue=deadLetter")).Body!["messages"]!.AsArray();
        Assert.Equal(["m-1", "m-2"], deadLetters.Select(m => (string?)m!["messageId"]));
        Assert.All(deadLetters, m => Assert.Equal("poison", (string?)m!["deadLetterReason"]));
        Assert.All(deadLetters, m => Assert.Equal("deadLetter", (string?)m!["subQueue"]));
        Assert.Empty((await silo.GetAsync("queues/mgmt%2Fdlq/messages")).Body!["messages"]!.AsArray());

        var runtime = await silo.GetAsync("queues/mgmt%2Fdlq/runtime");
        Assert.Equal(2, (long?)runtime.Body!["deadLetterMessageCount"]);
        Assert.Equal(0, (long?)runtime.Body["activeMessageCount"]);

        // Resubmit one by sequence number: only it comes back, fresh, and the client receives it again.
        var first = (long)deadLetters[0]!["sequenceNumber"]!;
        var resubmitted = await silo.SendAsync(HttpMethod.Post, "queues/mgmt%2Fdlq/deadletters/resubmit", Json(new { sequenceNumbers = new[] { first } }));
        Assert.Equal(1, (long?)resubmitted.Body!["count"]);
        var again = Assert.Single(await ReceiveAsync(receiver, 1));
        Assert.Equal("m-1", again.MessageId);
        Assert.Equal("first text", again.Body.ToString());
        await receiver.CompleteMessageAsync(again);

        // Purge the dead-letter queue: the rest goes, and the main queue is untouched by it.
        await sender.SendMessageAsync(new LoireMessage("keep"u8.ToArray()) { MessageId = "m-3" });
        var purged = await silo.SendAsync(HttpMethod.Post, "queues/mgmt%2Fdlq/purge?subQueue=deadletter");
        Assert.Equal(1, (long?)purged.Body!["count"]);
        Assert.Empty((await silo.GetAsync("queues/mgmt%2Fdlq/messages?subQueue=deadLetter")).Body!["messages"]!.AsArray());
        Assert.Equal(["m-3"], (await silo.GetAsync("queues/mgmt%2Fdlq/messages")).Body!["messages"]!.AsArray().Select(m => (string?)m!["messageId"]));

        Assert.Equal(204, (await silo.SendAsync(HttpMethod.Delete, "queues/mgmt%2Fdlq")).Status);
        AssertProblem(await silo.GetAsync("queues/mgmt%2Fdlq"), 404, "MessagingEntityNotFound");
        Assert.False(await silo.Client.CreateAdministrationClient().QueueExistsAsync("mgmt/dlq"));
    }

    [Fact]
    public async Task HttpSendsReachTheClientAndScheduledMessagesCancel()
    {
        Assert.Equal(201, (await silo.SendAsync(HttpMethod.Put, "queues/mgmt-send")).Status);
        var bytes = new byte[] { 9, 0, 200, 13 };
        var sent = await silo.SendAsync(HttpMethod.Post, "queues/mgmt-send/messages", Json(new
        {
            body = Convert.ToBase64String(bytes), bodyEncoding = "base64", messageId = "h-1", contentType = "application/octet-stream",
            correlationId = "c-1", applicationProperties = new { tenant = "t1", attempt = 2, urgent = true },
        }));
        Assert.Equal(200, sent.Status);
        var sequenceNumber = (long)sent.Body!["sequenceNumbers"]![0]!;

        var receiver = silo.Client.CreateReceiver("mgmt-send");
        var received = Assert.Single(await ReceiveAsync(receiver, 1));
        Assert.Equal(bytes, received.Body.ToArray());
        Assert.Equal(sequenceNumber, received.SequenceNumber);
        Assert.Equal("h-1", received.MessageId);
        Assert.Equal("c-1", received.CorrelationId);
        Assert.Equal("application/octet-stream", received.ContentType);
        Assert.Equal("t1", received.ApplicationProperties["tenant"]);
        Assert.Equal(2L, received.ApplicationProperties["attempt"]);
        Assert.Equal(true, received.ApplicationProperties["urgent"]);
        await receiver.CompleteMessageAsync(received);

        // A message scheduled through the client is cancelled through the API.
        var scheduled = await silo.Client.CreateSender("mgmt-send").ScheduleMessageAsync(new LoireMessage("later"u8.ToArray()), DateTimeOffset.UtcNow.AddHours(1));
        var peeked = (await silo.GetAsync("queues/mgmt-send/messages")).Body!["messages"]!.AsArray();
        Assert.Equal("scheduled", (string?)Assert.Single(peeked)!["state"]);
        Assert.Equal(204, (await silo.SendAsync(HttpMethod.Post, "queues/mgmt-send/scheduled/cancel", Json(new { sequenceNumbers = new[] { scheduled } }))).Status);
        Assert.Empty((await silo.GetAsync("queues/mgmt-send/messages")).Body!["messages"]!.AsArray());

        // A bad base64 body or an unknown field is refused, and nothing is stored.
        AssertProblem(await silo.SendAsync(HttpMethod.Post, "queues/mgmt-send/messages", Json(new { body = "not base64!", bodyEncoding = "base64" })),
            400, "InvalidArgument", "base64");
        AssertProblem(await silo.SendAsync(HttpMethod.Post, "queues/mgmt-send/messages", Json(new { body = "x", sessionld = "typo" })),
            400, "InvalidArgument", "sessionld");
        Assert.Empty((await silo.GetAsync("queues/mgmt-send/messages")).Body!["messages"]!.AsArray());
    }

    [Fact]
    public async Task RulesAreCreatedReplacedAndDeletedAndABadFilterChangesNothing()
    {
        Assert.Equal(201, (await silo.SendAsync(HttpMethod.Put, "topics/mgmt-events")).Status);
        var subscription = await silo.SendAsync(HttpMethod.Put, "topics/mgmt-events/subscriptions/audit", Json(new
        {
            rule = new { name = "orders", filter = new { type = "correlation", correlation = new { subject = "order.created" } } },
        }));
        Assert.Equal(201, subscription.Status);
        Assert.Equal("mgmt-events/subscriptions/audit", (string?)subscription.Body!["path"]);
        Assert.Equal(["orders"], RuleNames(subscription.Body["rules"]));

        var sql = await silo.SendAsync(HttpMethod.Post, "topics/mgmt-events/subscriptions/audit/rules",
            Json(new { name = "big", filter = new { type = "sql", sqlExpression = "amount > 100" } }));
        Assert.Equal(201, sql.Status);
        AssertProblem(await silo.SendAsync(HttpMethod.Post, "topics/mgmt-events/subscriptions/audit/rules",
            Json(new { name = "big", filter = new { type = "true" } })), 409, "MessagingEntityAlreadyExists");

        // A malformed SQL filter: 400 with the parser's message, on create and on replace; the rules stay as they were.
        AssertProblem(await silo.SendAsync(HttpMethod.Post, "topics/mgmt-events/subscriptions/audit/rules",
            Json(new { name = "broken", filter = new { type = "sql", sqlExpression = "amount > > 1" } })), 400, "InvalidArgument", "column");
        AssertProblem(await silo.SendAsync(HttpMethod.Put, "topics/mgmt-events/subscriptions/audit/rules/big",
            Json(new { filter = new { type = "sql", sqlExpression = "amount IN (" } })), 400, "InvalidArgument", "invalid SQL filter");
        var rules = await silo.GetAsync("topics/mgmt-events/subscriptions/audit/rules");
        Assert.Equal(["orders", "big"], RuleNames(rules.Body));
        Assert.Equal("amount > 100", (string?)rules.Body!.AsArray()[1]!["filter"]!["sqlExpression"]);

        // Replace: same name, new filter, and routing follows it.
        var replaced = await silo.SendAsync(HttpMethod.Put, "topics/mgmt-events/subscriptions/audit/rules/big",
            Json(new { filter = new { type = "sql", sqlExpression = "amount > 1000" } }));
        Assert.Equal(200, replaced.Status);
        var big = await silo.GetAsync("topics/mgmt-events/subscriptions/audit/rules/big");
        Assert.Equal("amount > 1000", (string?)big.Body!["filter"]!["sqlExpression"]);
        Assert.Equal(["orders", "big"], RuleNames((await silo.GetAsync("topics/mgmt-events/subscriptions/audit/rules")).Body));

        var publisher = silo.Client.CreateSender("mgmt-events");
        await publisher.SendMessageAsync(new LoireMessage("small"u8.ToArray()) { MessageId = "p-500", ApplicationProperties = { ["amount"] = 500 } });
        await publisher.SendMessageAsync(new LoireMessage("large"u8.ToArray()) { MessageId = "p-5000", ApplicationProperties = { ["amount"] = 5000 } });
        await publisher.SendMessageAsync(new LoireMessage("order"u8.ToArray()) { MessageId = "p-order", Subject = "order.created" });
        var inSubscription = (await silo.GetAsync("topics/mgmt-events/subscriptions/audit/messages")).Body!["messages"]!.AsArray();
        Assert.Equal(["p-5000", "p-order"], inSubscription.Select(m => (string?)m!["messageId"]));

        Assert.Equal(204, (await silo.SendAsync(HttpMethod.Delete, "topics/mgmt-events/subscriptions/audit/rules/big")).Status);
        AssertProblem(await silo.GetAsync("topics/mgmt-events/subscriptions/audit/rules/big"), 404, "MessagingEntityNotFound");
        AssertProblem(await silo.SendAsync(HttpMethod.Delete, "topics/mgmt-events/subscriptions/audit/rules/big"), 404, "MessagingEntityNotFound");
        Assert.Equal(["orders"], RuleNames((await silo.GetAsync("topics/mgmt-events/subscriptions/audit/rules")).Body));
        var clientRules = new List<string>();
        await foreach (var rule in silo.Client.CreateAdministrationClient().GetRulesAsync("mgmt-events", "audit"))
        {
            clientRules.Add(rule.Name);
        }

        Assert.Equal(["orders"], clientRules);

        // The subscription's messages go through the client too: dead-letter one, resubmit all through the API.
        var receiver = silo.Client.CreateReceiver("mgmt-events", "audit");
        var got = await ReceiveAsync(receiver, 2);
        await receiver.DeadLetterMessageAsync(got[0], "check");
        await receiver.CompleteMessageAsync(got[1]);
        var all = await silo.SendAsync(HttpMethod.Post, "topics/mgmt-events/subscriptions/audit/deadletters/resubmit");
        Assert.Equal(1, (long?)all.Body!["count"]);
        Assert.Equal(got[0].MessageId, Assert.Single(await ReceiveAsync(receiver, 1)).MessageId);

        Assert.Equal(204, (await silo.SendAsync(HttpMethod.Delete, "topics/mgmt-events/subscriptions/audit")).Status);
        AssertProblem(await silo.GetAsync("topics/mgmt-events/subscriptions/audit"), 404, "MessagingEntityNotFound");
        Assert.Equal(0, (int?)(await silo.GetAsync("topics/mgmt-events/runtime")).Body!["subscriptionCount"]);
    }

    [Fact]
    public async Task EntitiesAreListedPageByPageUnderAPrefixWithTheirDepth()
    {
        var admin = silo.Client.CreateAdministrationClient();
        var names = Enumerable.Range(0, 7).Select(i => $"mgmt-page/q{i}").ToList();
        foreach (var name in names)
        {
            await admin.CreateQueueAsync(name);
        }

        await admin.CreateTopicAsync("mgmt-page/t");
        await silo.Client.CreateSender("mgmt-page/q3").SendMessagesAsync([new LoireMessage("a"u8.ToArray()), new LoireMessage("b"u8.ToArray())]);

        var listed = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await silo.GetAsync($"entities?prefix=mgmt-page/&kind=queue&top=3{(token is null ? "" : "&after=" + Uri.EscapeDataString(token))}");
            Assert.Equal(200, page.Status);
            var entities = page.Body!["entities"]!.AsArray();
            Assert.InRange(entities.Count, 1, 3);
            listed.AddRange(entities.Select(e => (string)e!["path"]!));
            token = (string?)page.Body["continuationToken"];
            Assert.Equal(token is null ? null : listed[^1], token);
            pages++;
        }
        while (token is not null);

        Assert.Equal(names, listed);
        Assert.Equal(3, pages);

        var everything = (await silo.GetAsync("entities?prefix=mgmt-page/")).Body!;
        Assert.Null((string?)everything["continuationToken"]);
        Assert.Equal([.. names, "mgmt-page/t"], everything["entities"]!.AsArray().Select(e => (string)e!["path"]!));
        Assert.Equal("topic", (string?)everything["entities"]![7]!["kind"]);

        await EventuallyAsync(async () =>
        {
            var withDepth = (await silo.GetAsync("entities?prefix=mgmt-page/q3&depth=true")).Body!["entities"]!.AsArray();
            return withDepth.Count == 1 && (long?)withDepth[0]!["depth"]!["activeMessages"] == 2;
        }, s_wait, "the listing shows the recorded depth 2 of mgmt-page/q3");
        Assert.Null((await silo.GetAsync("entities?prefix=mgmt-page/q3")).Body!["entities"]![0]!["depth"]);
    }

    [Fact]
    public async Task BadRequestsAreRefusedAndChangeNothing()
    {
        Assert.Equal(201, (await silo.SendAsync(HttpMethod.Put, "queues/mgmt-bad", Json(new { settings = new { maxDeliveryCount = 4 } }))).Status);
        await silo.Client.CreateSender("mgmt-bad").SendMessageAsync(new LoireMessage("stay"u8.ToArray()) { MessageId = "stay" });

        // Taken name: 409, and the first queue keeps its settings.
        AssertProblem(await silo.SendAsync(HttpMethod.Put, "queues/mgmt-bad", Json(new { settings = new { maxDeliveryCount = 9 } })), 409, "MessagingEntityAlreadyExists");
        Assert.Equal(4, (int?)(await silo.GetAsync("queues/mgmt-bad")).Body!["settings"]!["maxDeliveryCount"]);

        // Bad names, settings and bodies: 400, and nothing was created.
        AssertProblem(await silo.SendAsync(HttpMethod.Put, "queues/bad name"), 400, "InvalidArgument", "contains ' '");
        AssertProblem(await silo.SendAsync(HttpMethod.Put, "queues/" + new string('q', 300)), 400, "InvalidArgument", "at most 260");
        AssertProblem(await silo.SendAsync(HttpMethod.Put, "queues/mgmt-bad2", Json(new { settings = new { lockDuration = "00:00:00" } })), 400, "InvalidArgument", "LockDuration");
        AssertProblem(await silo.SendAsync(HttpMethod.Put, "queues/mgmt-bad2", Json(new { settings = new { maxDeliveryCount = -1 } })), 400, "InvalidArgument", "MaxDeliveryCount");
        AssertProblem(await silo.SendAsync(HttpMethod.Put, "queues/mgmt-bad2", Json(new { settings = new { maxDeliveryCont = 3 } })), 400, "InvalidArgument", "maxDeliveryCont");
        AssertProblem(await silo.SendAsync(HttpMethod.Put, "queues/mgmt-bad2", "{\"settings\": {"), 400, "InvalidArgument", "not valid");
        AssertProblem(await silo.SendAsync(HttpMethod.Put, "topics/mgmt-bad2", Json(new { settings = new { partitionCount = 99 } })), 400, "InvalidArgument", "PartitionCount");
        Assert.Empty((await silo.GetAsync("entities?prefix=mgmt-bad2")).Body!["entities"]!.AsArray());

        // Bad query parameters: 400, whatever the operation.
        AssertProblem(await silo.GetAsync("queues/mgmt-bad/messages?maxCount=-1"), 400, "InvalidArgument", "maxCount");
        AssertProblem(await silo.GetAsync("queues/mgmt-bad/messages?fromSequenceNumber=abc"), 400, "InvalidArgument", "fromSequenceNumber");
        AssertProblem(await silo.GetAsync("queues/mgmt-bad/messages?subQueue=side"), 400, "InvalidArgument", "subQueue");
        AssertProblem(await silo.GetAsync("entities?top=0"), 400, "InvalidArgument", "top");
        AssertProblem(await silo.GetAsync("entities?kind=queues"), 400, "InvalidArgument", "kind");

        // A purge must name its sub-queue; a resubmit or cancel with a malformed body does nothing.
        AssertProblem(await silo.SendAsync(HttpMethod.Post, "queues/mgmt-bad/purge"), 400, "InvalidArgument", "subQueue");
        AssertProblem(await silo.SendAsync(HttpMethod.Post, "queues/mgmt-bad/deadletters/resubmit", "{\"sequenceNumbers\": \"all\"}"), 400, "InvalidArgument");
        AssertProblem(await silo.SendAsync(HttpMethod.Post, "queues/mgmt-bad/scheduled/cancel", "{}"), 400, "InvalidArgument", "sequenceNumbers");
        AssertProblem(await silo.SendAsync(HttpMethod.Post, "queues/mgmt-bad/scheduled/cancel", Json(new { sequenceNumbers = new[] { -5 } })), 400, "InvalidArgument");
        Assert.Equal(["stay"], (await silo.GetAsync("queues/mgmt-bad/messages")).Body!["messages"]!.AsArray().Select(m => (string?)m!["messageId"]));

        // Unknown entities, and entities of another kind: 404, and a topic is not deleted through /queues.
        await silo.Client.CreateAdministrationClient().CreateTopicAsync("mgmt-bad-topic");
        AssertProblem(await silo.GetAsync("queues/mgmt-none"), 404, "MessagingEntityNotFound");
        AssertProblem(await silo.GetAsync("queues/mgmt-none/runtime"), 404, "MessagingEntityNotFound");
        AssertProblem(await silo.SendAsync(HttpMethod.Delete, "queues/mgmt-bad-topic"), 404, "MessagingEntityNotFound");
        AssertProblem(await silo.GetAsync("queues/mgmt-bad-topic/messages"), 404, "MessagingEntityNotFound");
        AssertProblem(await silo.SendAsync(HttpMethod.Put, "topics/mgmt-none/subscriptions/s"), 404, "MessagingEntityNotFound");
        AssertProblem(await silo.SendAsync(HttpMethod.Post, "queues/mgmt-none/messages", Json(new { body = "x" })), 404, "MessagingEntityNotFound");
        Assert.True(await silo.Client.CreateAdministrationClient().TopicExistsAsync("mgmt-bad-topic"));
        Assert.Equal(1, (long?)(await silo.GetAsync("queues/mgmt-bad/runtime")).Body!["activeMessageCount"]);
    }

    [Fact]
    public async Task PutWithIfMatchUpdatesSettingsAndRefusesBadOnesWithoutChangingAnything()
    {
        var created = await silo.SendAsync(HttpMethod.Put, "queues/mgmt-update", Json(new { settings = new { maxDeliveryCount = 4 } }));
        Assert.Equal(201, created.Status);

        var updated = await UpdateAsync("queues/mgmt-update", Json(new { settings = new { maxDeliveryCount = 2, lockDuration = "00:01:00" } }));
        Assert.Equal(200, updated.Status);
        Assert.Equal(2, (int?)updated.Body!["settings"]!["maxDeliveryCount"]);
        Assert.Equal("00:01:00", (string?)updated.Body["settings"]!["lockDuration"]);
        var queue = await silo.Client.CreateAdministrationClient().GetQueueAsync("mgmt-update");
        Assert.Equal((2, TimeSpan.FromMinutes(1), 1024L), (queue.MaxDeliveryCount, queue.LockDuration, queue.MaxSizeInMegabytes)); // absent settings stay

        // Bad values, fixed settings, a rule in a subscription update, and what does not exist: refused, nothing changed.
        AssertProblem(await UpdateAsync("queues/mgmt-update", Json(new { settings = new { maxDeliveryCount = 0 } })), 400, "InvalidArgument", "MaxDeliveryCount");
        AssertProblem(await UpdateAsync("queues/mgmt-update", Json(new { settings = new { requiresSession = true, maxDeliveryCount = 7 } })), 400, "InvalidArgument", "RequiresSession cannot be changed");
        AssertProblem(await UpdateAsync("queues/mgmt-update", """{"settings":{"lockDuration":"soon"}}"""), 400, "InvalidArgument");
        AssertProblem(await UpdateAsync("queues/mgmt-absent", Json(new { settings = new { maxDeliveryCount = 3 } })), 404, "MessagingEntityNotFound");
        var after = (await silo.GetAsync("queues/mgmt-update")).Body!["settings"]!;
        Assert.Equal((2, "00:01:00", false), ((int?)after["maxDeliveryCount"], (string?)after["lockDuration"], (bool?)after["requiresSession"]));

        // Forwarding is set, then stopped with an empty target.
        Assert.Equal(201, (await silo.SendAsync(HttpMethod.Put, "queues/mgmt-update-target")).Status);
        var forwarding = await UpdateAsync("queues/mgmt-update", Json(new { settings = new { forwardTo = "mgmt-update-target" } }));
        Assert.Equal("mgmt-update-target", (string?)forwarding.Body!["settings"]!["forwardTo"]);
        var stopped = await UpdateAsync("queues/mgmt-update", Json(new { settings = new { forwardTo = "" } }));
        Assert.Null((string?)stopped.Body!["settings"]!["forwardTo"]);
        Assert.Null((await silo.Client.CreateAdministrationClient().GetQueueAsync("mgmt-update")).ForwardTo);

        // Without If-Match a PUT still creates, so it finds the queue taken.
        AssertProblem(await silo.SendAsync(HttpMethod.Put, "queues/mgmt-update", Json(new { settings = new { maxDeliveryCount = 9 } })), 409, "MessagingEntityAlreadyExists");

        // Topics and subscriptions alike.
        Assert.Equal(201, (await silo.SendAsync(HttpMethod.Put, "topics/mgmt-update-topic")).Status);
        Assert.Equal(201, (await silo.SendAsync(HttpMethod.Put, "topics/mgmt-update-topic/subscriptions/s")).Status);
        var topic = await UpdateAsync("topics/mgmt-update-topic", Json(new { settings = new { defaultMessageTimeToLive = "02:00:00" } }));
        Assert.Equal("02:00:00", (string?)topic.Body!["settings"]!["defaultMessageTimeToLive"]);
        var subscription = await UpdateAsync("topics/mgmt-update-topic/subscriptions/s", Json(new { settings = new { maxDeliveryCount = 3 } }));
        Assert.Equal(3, (int?)subscription.Body!["settings"]!["maxDeliveryCount"]);
        Assert.Equal("$Default", (string?)subscription.Body["rules"]![0]!["name"]);
        AssertProblem(await UpdateAsync("topics/mgmt-update-topic/subscriptions/s",
            Json(new { settings = new { maxDeliveryCount = 5 }, rule = new { name = "r", filter = new { type = "true" } } })), 400, "InvalidArgument", "rule");
        Assert.Equal(3, (await silo.Client.CreateAdministrationClient().GetSubscriptionAsync("mgmt-update-topic", "s")).MaxDeliveryCount);
    }

    private async Task<(int Status, JsonNode? Body)> UpdateAsync(string path, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.IfMatch.Add(System.Net.Http.Headers.EntityTagHeaderValue.Any);
        using var response = await silo.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    [Fact]
    public async Task TrafficCountsWhatTheClientDidAndTheClusterListsTheSiloHostingIt()
    {
        var queue = "mgmt-traffic/" + Guid.NewGuid().ToString("N")[..8];
        await silo.Client.CreateAdministrationClient().CreateQueueAsync(queue);
        var sender = silo.Client.CreateSender(queue);
        for (var i = 0; i < 4; i++)
        {
            await sender.SendMessageAsync(new LoireMessage("x"u8.ToArray()));
        }

        var receiver = silo.Client.CreateReceiver(queue);
        var received = await ReceiveAsync(receiver, 4);
        await receiver.CompleteMessageAsync(received[0]);
        await receiver.CompleteMessageAsync(received[1]);
        await receiver.DeadLetterMessageAsync(received[2], "poison");

        var traffic = await silo.GetAsync("traffic?prefix=mgmt-traffic/");
        Assert.Equal(200, traffic.Status);
        Assert.Equal(1, (int?)traffic.Body!["silos"]);
        var entity = Assert.Single(traffic.Body["entities"]!.AsArray(), e => (string?)e!["path"] == queue)!;
        Assert.Equal((4, 4, 2, 1), ((long)entity["sent"]!, (long)entity["delivered"]!, (long)entity["completed"]!, (long)entity["deadLettered"]!));
        AssertProblem(await silo.GetAsync("traffic?top=0"), 400, "InvalidArgument", "top");

        // A deleted entity's counts go, so a new one of the same name starts from zero.
        await silo.Client.CreateAdministrationClient().DeleteQueueAsync(queue);
        Assert.DoesNotContain((await silo.GetAsync("traffic?prefix=mgmt-traffic/")).Body!["entities"]!.AsArray(), e => (string?)e!["path"] == queue);

        var cluster = await silo.GetAsync("cluster");
        var self = Assert.Single(cluster.Body!["silos"]!.AsArray())!;
        Assert.Equal("Active", (string?)self["status"]);
        Assert.True((bool)self["answeringThisRequest"]!);
        Assert.True((int)self["queueActivations"]! >= 1);
        Assert.Equal("/dashboard/", (string?)cluster.Body["dashboardPath"]);
    }

    [Fact]
    public async Task OpenApiDocumentDescribesTheApi()
    {
        using var response = await silo.Http.GetAsync("openapi.json");
        Assert.Equal(200, (int)response.StatusCode);
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.StartsWith("3.", (string?)document["openapi"]);
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("/api/v1/entities", paths);
        Assert.Contains("/api/v1/queues/{queue}/messages", paths);
        Assert.Contains("/api/v1/topics/{topic}/subscriptions/{subscription}/rules/{rule}", paths);
        Assert.Contains("/api/v1/traffic", paths);
        Assert.Contains("/api/v1/cluster", paths);
        Assert.DoesNotContain(paths, p => p.StartsWith("/scaler", StringComparison.Ordinal) || p.StartsWith("/console", StringComparison.Ordinal));
        var peekParameters = document["paths"]!["/api/v1/queues/{queue}/messages"]!["get"]!["parameters"]!.AsArray().Select(p => (string?)p!["name"]);
        Assert.Contains("maxCount", peekParameters);
    }

    private static void AssertBody(JsonNode message, string encoding, string data, int size, bool truncated)
    {
        var body = message["body"]!;
        Assert.Equal(encoding, (string?)body["encoding"]);
        Assert.Equal(data, (string?)body["data"]);
        Assert.Equal(size, (int?)body["size"]);
        Assert.Equal(truncated, (bool?)body["truncated"]);
    }

    private static List<string?> RuleNames(JsonNode? rules) => [.. rules!.AsArray().Select(r => (string?)r!["name"])];

    /// <summary>Receives exactly <paramref name="count"/> messages, polling until they all came or the wait is over.</summary>
    private static async Task<List<LoireReceivedMessage>> ReceiveAsync(LoireReceiver receiver, int count)
    {
        var received = new List<LoireReceivedMessage>();
        var deadline = DateTime.UtcNow + s_wait;
        while (received.Count < count && DateTime.UtcNow < deadline)
        {
            received.AddRange(await receiver.ReceiveMessagesAsync(count - received.Count, TimeSpan.FromSeconds(1)));
        }

        Assert.Equal(count, received.Count);
        return received;
    }
}
