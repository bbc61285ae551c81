using Loire.Client;
using Loire.Client.Administration;
using Loire.Tests.Infrastructure;
using static Loire.Tests.Topics.TopicTestKit;

namespace Loire.Tests.Topics;

/// <summary>
/// SQL rule filters evaluated by real subscriptions: the same six messages are published to a topic whose only
/// subscription has the filter under test, and the test checks exactly which of them the subscription got.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SqlFilterSubscriptionTests(ClusterFixture fixture)
{
    private readonly LoireClient _client = fixture.Client;
    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    /// <summary>
    /// The corpus. Properties: priority (string), amount (int, long or double), region (string), customer (string,
    /// absent on m3, m5, m6), ratio (double), vip (bool), count (long).
    /// </summary>
    private static LoireMessage[] Corpus() =>
    [
        WithSystem(Message("m1", ("priority", "high"), ("amount", 150), ("region", "fr"), ("customer", "acme"), ("ratio", 0.75), ("vip", true), ("count", 5L)),
            subject: "order.created", correlationId: "c-1", contentType: "application/json"),
        WithSystem(Message("m2", ("priority", "high"), ("amount", 50), ("region", "de"), ("customer", "globex"), ("ratio", 1.5), ("vip", false), ("count", 10L)),
            subject: "order.cancelled", correlationId: "c-2", contentType: "application/json"),
        WithSystem(Message("m3", ("priority", "low"), ("amount", 500), ("region", "us"), ("ratio", 0.25), ("vip", true)),
            subject: "invoice.paid", correlationId: "c-1", contentType: "text/plain"),
        WithSystem(Message("m4", ("priority", "low"), ("amount", 100), ("region", "es"), ("customer", "initech"), ("count", 7L)),
            subject: "order.created.eu", correlationId: null, contentType: "application/xml"),
        WithSystem(Message("m5", ("priority", "medium"), ("amount", 101.5), ("region", "fr")),
            subject: null, correlationId: null, contentType: null),
        WithSystem(Message("m6", ("priority", "urgent"), ("amount", 1000L)),
            subject: "order", correlationId: "c-3", contentType: "text/plain"),
    ];

    public static TheoryData<string, string[]> Filters => new()
    {
        // Comparisons on strings.
        { "priority = 'high'", ["m1", "m2"] },
        { "priority <> 'high'", ["m3", "m4", "m5", "m6"] },
        { "priority != 'high'", ["m3", "m4", "m5", "m6"] },
        { "priority > 'm'", ["m5", "m6"] },
        // Integers, longs and doubles compare by value.
        { "amount > 100", ["m1", "m3", "m5", "m6"] },
        { "amount < 100", ["m2"] },
        { "amount = 100", ["m4"] },
        { "amount >= 100 AND amount <= 150", ["m1", "m4", "m5"] },
        { "amount = 101.5", ["m5"] },
        { "amount = 1000", ["m6"] },
        { "count = 7", ["m4"] },
        { "count > 5", ["m2", "m4"] },
        { "ratio < 1", ["m1", "m3"] },
        { "ratio > 1.0", ["m2"] },
        { "amount * 2 > 250", ["m1", "m3", "m6"] },
        // Booleans.
        { "vip = TRUE", ["m1", "m3"] },
        { "vip = FALSE", ["m2"] },
        // Logic, with three-valued NOT: a missing property is unknown, and NOT unknown is still unknown.
        { "priority = 'high' AND amount > 100", ["m1"] },
        { "priority = 'high' OR region = 'us'", ["m1", "m2", "m3"] },
        { "NOT (vip = TRUE)", ["m2"] },
        { "NOT priority = 'high'", ["m3", "m4", "m5", "m6"] },
        { "(priority = 'high' OR priority = 'low') AND NOT region = 'us'", ["m1", "m2", "m4"] },
        // IN.
        { "region IN ('fr', 'de')", ["m1", "m2", "m5"] },
        { "region NOT IN ('fr', 'de')", ["m3", "m4"] },
        { "amount IN (50, 100, 1000)", ["m2", "m4", "m6"] },
        // LIKE.
        { "sys.Subject LIKE 'order.%'", ["m1", "m2", "m4"] },
        { "sys.Subject LIKE '%.created%'", ["m1", "m4"] },
        { "sys.Subject LIKE 'order._reated'", ["m1"] },
        { "sys.Subject NOT LIKE 'order%'", ["m3"] },
        { "customer LIKE '%e'", ["m1"] },
        // EXISTS and IS NULL.
        { "EXISTS(customer)", ["m1", "m2", "m4"] },
        { "NOT EXISTS(customer)", ["m3", "m5", "m6"] },
        { "customer IS NULL", ["m3", "m5", "m6"] },
        { "customer IS NOT NULL", ["m1", "m2", "m4"] },
        { "sys.CorrelationId IS NULL", ["m4", "m5"] },
        // System properties.
        { "sys.CorrelationId = 'c-1'", ["m1", "m3"] },
        { "sys.MessageId = 'm4'", ["m4"] },
        { "sys.MessageId IN ('m2', 'm6')", ["m2", "m6"] },
        { "sys.ContentType = 'application/json'", ["m1", "m2"] },
        { "sys.ContentType <> 'application/json'", ["m3", "m4", "m6"] },
        { "sys.Subject = 'order'", ["m6"] },
        { "sys.Label = 'invoice.paid'", ["m3"] },
        { "sys.subject = 'order'", ["m6"] },
        { "SYS.CORRELATIONID = 'c-3'", ["m6"] },
        // Explicit application scope and bracketed names.
        { "user.region = 'fr'", ["m1", "m5"] },
        { "[region] = 'de'", ["m2"] },
        // Property names are case-sensitive; keywords are not.
        { "Region = 'fr'", [] },
        { "priority = 'high' and amount > 100", ["m1"] },
        // Trivial conditions.
        { "1 = 1", ["m1", "m2", "m3", "m4", "m5", "m6"] },
        { "1 = 0", [] },
    };

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task ASqlFilteredSubscriptionGetsExactlyTheMatchingMessages(string filter, string[] expected)
    {
        var topic = await _admin.CreateFreshTopicAsync("sql");
        await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "s"), new CreateRuleOptions("rule", new SqlRuleFilter(filter)));
        await using var sender = _client.CreateSender(topic);

        await sender.SendMessagesAsync(Corpus());

        Assert.Equal(expected, await DrainIdsAsync(_client, topic, "s", expected.Length));
    }

    [Fact]
    public async Task SeveralFilteredSubscriptionsOnOneTopicEachGetTheirOwnSelection()
    {
        var topic = await _admin.CreateFreshTopicAsync("sql-combined");
        var subscriptions = new Dictionary<string, (string Filter, string[] Expected)>
        {
            ["high"] = ("priority = 'high' AND amount > 100", ["m1"]),
            ["eu"] = ("region IN ('fr','de')", ["m1", "m2", "m5"]),
            ["orders"] = ("sys.Subject LIKE 'order.%'", ["m1", "m2", "m4"]),
            ["nocust"] = ("customer IS NULL", ["m3", "m5", "m6"]),
            ["json"] = ("sys.ContentType = 'application/json' OR sys.CorrelationId = 'c-3'", ["m1", "m2", "m6"]),
        };
        foreach (var (name, (filter, _)) in subscriptions)
        {
            await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, name), new CreateRuleOptions("rule", new SqlRuleFilter(filter)));
        }

        await _admin.CreateSubscriptionAsync(topic, "all");
        await using var sender = _client.CreateSender(topic);

        // One by one this time, so each message is routed on its own.
        foreach (var message in Corpus())
        {
            await sender.SendMessageAsync(message);
        }

        foreach (var (name, (_, expected)) in subscriptions)
        {
            var ids = await DrainIdsAsync(_client, topic, name, expected.Length);
            Assert.True(Enumerable.SequenceEqual(expected, ids),
                $"Subscription '{name}' should get exactly [{string.Join(", ", expected)}] but got [{string.Join(", ", ids)}].");
        }

        Assert.Equal(["m1", "m2", "m3", "m4", "m5", "m6"], await DrainIdsAsync(_client, topic, "all", 6));
    }

    [Fact]
    public async Task ASubscriptionWithSeveralRulesGetsAMessageOnceWhenMoreThanOneRuleMatches()
    {
        var topic = await _admin.CreateFreshTopicAsync("sql-any-rule");
        await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "s"), new CreateRuleOptions("high", new SqlRuleFilter("priority = 'high'")));
        await _admin.CreateRuleAsync(topic, "s", new CreateRuleOptions("fr", new SqlRuleFilter("region = 'fr'")));
        await using var sender = _client.CreateSender(topic);

        await sender.SendMessagesAsync(Corpus());

        // m1 matches both rules and still arrives once.
        Assert.Equal(["m1", "m2", "m5"], await DrainIdsAsync(_client, topic, "s", 3));
    }

    private static LoireMessage WithSystem(LoireMessage message, string? subject, string? correlationId, string? contentType)
    {
        message.Subject = subject;
        message.CorrelationId = correlationId;
        message.ContentType = contentType;
        return message;
    }
}
