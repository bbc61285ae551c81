using Loire.Client;
using Loire.Client.Administration;
using Loire.Tests.Infrastructure;
using static Loire.Tests.Topics.TopicTestKit;

namespace Loire.Tests.Topics;

/// <summary>Correlation filters (exact matches, and routing-key patterns on Subject) through real subscriptions.</summary>
[Collection(ClusterCollection.Name)]
public sealed class CorrelationFilterSubscriptionTests(ClusterFixture fixture)
{
    private readonly LoireClient _client = fixture.Client;
    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    [Fact]
    public async Task CorrelationFiltersMatchSystemPropertiesExactly()
    {
        var topic = await _admin.CreateFreshTopicAsync("corr-system");
        await CreateAsync(topic, "by-correlation", new CorrelationRuleFilter("c-1"));
        await CreateAsync(topic, "by-subject", new CorrelationRuleFilter { Subject = "order.created" });
        await CreateAsync(topic, "by-content-type", new CorrelationRuleFilter { ContentType = "application/json" });
        await CreateAsync(topic, "by-message-id", new CorrelationRuleFilter { MessageId = "m3" });
        await CreateAsync(topic, "by-reply-to", new CorrelationRuleFilter { ReplyTo = "replies" });
        await CreateAsync(topic, "by-to", new CorrelationRuleFilter { To = "billing" });
        await CreateAsync(topic, "by-two", new CorrelationRuleFilter { CorrelationId = "c-1", ContentType = "application/json" });
        await using var sender = _client.CreateSender(topic);

        await sender.SendMessagesAsync(
        [
            new LoireMessage("1") { MessageId = "m1", CorrelationId = "c-1", Subject = "order.created", ContentType = "application/json", ReplyTo = "replies" },
            new LoireMessage("2") { MessageId = "m2", CorrelationId = "c-1", Subject = "order.created.eu", ContentType = "text/plain", To = "billing" },
            new LoireMessage("3") { MessageId = "m3", CorrelationId = "C-1", Subject = "Order.Created", ContentType = "application/json; charset=utf-8" },
            new LoireMessage("4") { MessageId = "m4", CorrelationId = "c-10", Subject = "order.created", ContentType = "application/json" },
            new LoireMessage("5") { MessageId = "m5" },
        ]);

        Assert.Equal(["m1", "m2"], await DrainIdsAsync(_client, topic, "by-correlation", 2));
        Assert.Equal(["m1", "m4"], await DrainIdsAsync(_client, topic, "by-subject", 2));
        Assert.Equal(["m1", "m4"], await DrainIdsAsync(_client, topic, "by-content-type", 2));
        Assert.Equal(["m3"], await DrainIdsAsync(_client, topic, "by-message-id", 1));
        Assert.Equal(["m1"], await DrainIdsAsync(_client, topic, "by-reply-to", 1));
        Assert.Equal(["m2"], await DrainIdsAsync(_client, topic, "by-to", 1));
        Assert.Equal(["m1"], await DrainIdsAsync(_client, topic, "by-two", 1));
    }

    [Fact]
    public async Task CorrelationFiltersMatchApplicationPropertiesByValue()
    {
        var topic = await _admin.CreateFreshTopicAsync("corr-props");
        await CreateAsync(topic, "region-fr", new CorrelationRuleFilter { ApplicationProperties = { ["region"] = "fr" } });
        await CreateAsync(topic, "amount-100", new CorrelationRuleFilter { ApplicationProperties = { ["amount"] = 100 } });
        await CreateAsync(topic, "vip", new CorrelationRuleFilter { ApplicationProperties = { ["vip"] = true } });
        await CreateAsync(topic, "fr-and-vip", new CorrelationRuleFilter { ApplicationProperties = { ["region"] = "fr", ["vip"] = true } });
        await CreateAsync(topic, "json-fr", new CorrelationRuleFilter { ContentType = "application/json", ApplicationProperties = { ["region"] = "fr" } });
        await using var sender = _client.CreateSender(topic);

        await sender.SendMessagesAsync(
        [
            Message("m1", ("region", "fr"), ("amount", 100), ("vip", true)),
            Message("m2", ("region", "FR"), ("amount", 100L), ("vip", false)),
            Message("m3", ("region", "fr"), ("amount", 100.0)),
            Message("m4", ("region", "de"), ("amount", "100"), ("vip", "true")),
            Message("m5"),
        ]);
        await sender.SendMessageAsync(new LoireMessage("6") { MessageId = "m6", ContentType = "application/json", ApplicationProperties = { ["region"] = "fr" } });

        Assert.Equal(["m1", "m3", "m6"], await DrainIdsAsync(_client, topic, "region-fr", 3));
        // Numbers compare by value across int, long and double; a string "100" is not the number 100.
        Assert.Equal(["m1", "m2", "m3"], await DrainIdsAsync(_client, topic, "amount-100", 3));
        Assert.Equal(["m1"], await DrainIdsAsync(_client, topic, "vip", 1));
        Assert.Equal(["m1"], await DrainIdsAsync(_client, topic, "fr-and-vip", 1));
        Assert.Equal(["m6"], await DrainIdsAsync(_client, topic, "json-fr", 1));
    }

    public static TheoryData<string, string[]> RoutingPatterns => new()
    {
        { "order.*", ["order.created", "order.cancelled"] },
        { "order.#", ["order", "order.created", "order.cancelled", "order.created.eu", "order.a.b"] },
        { "*.created", ["order.created", "invoice.created", "orders.created"] },
        { "order.*.eu", ["order.created.eu"] },
        { "#.eu", ["order.created.eu", "eu"] },
        { "#", ["order", "order.created", "order.cancelled", "order.created.eu", "order.a.b", "invoice.created", "orders.created", "eu"] },
        { "order", ["order"] },
    };

    [Theory]
    [MemberData(nameof(RoutingPatterns))]
    public async Task ARoutingPatternOnSubjectSelectsTheMatchingRoutingKeys(string pattern, string[] expectedSubjects)
    {
        var subjects = new[] { "order", "order.created", "order.cancelled", "order.created.eu", "order.a.b", "invoice.created", "orders.created", "eu" };
        var topic = await _admin.CreateFreshTopicAsync("corr-pattern");
        await CreateAsync(topic, "s", new CorrelationRuleFilter { Subject = pattern });
        await using var sender = _client.CreateSender(topic);

        await sender.SendMessagesAsync(subjects.Select(subject => new LoireMessage(subject) { MessageId = subject, Subject = subject }));
        await sender.SendMessageAsync(new LoireMessage("no subject") { MessageId = "no-subject" });

        Assert.Equal(expectedSubjects.Order(StringComparer.Ordinal), await DrainIdsAsync(_client, topic, "s", expectedSubjects.Length));
    }

    [Fact]
    public async Task RoutingPatternsOrderStarAndOrderHashRouteTheSamePublishesDifferently()
    {
        var topic = await _admin.CreateFreshTopicAsync("corr-star-hash");
        await CreateAsync(topic, "star", new CorrelationRuleFilter { Subject = "order.*" });
        await CreateAsync(topic, "hash", new CorrelationRuleFilter { Subject = "order.#" });
        await using var sender = _client.CreateSender(topic);

        foreach (var subject in new[] { "order", "order.created", "order.created.eu", "order.a.b" })
        {
            await sender.SendMessageAsync(new LoireMessage(subject) { MessageId = subject, Subject = subject });
        }

        Assert.Equal(["order.created"], await DrainIdsAsync(_client, topic, "star", 1));
        Assert.Equal(["order", "order.a.b", "order.created", "order.created.eu"], await DrainIdsAsync(_client, topic, "hash", 4));
    }

    [Fact]
    public async Task AnEmptyCorrelationFilterIsRefusedWithInvalidArgumentAndNothingIsCreated()
    {
        var topic = await _admin.CreateFreshTopicAsync("corr-empty");

        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument,
            () => _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "s"), new CreateRuleOptions("r", new CorrelationRuleFilter())));

        Assert.False(await _admin.SubscriptionExistsAsync(topic, "s"));
    }

    [Fact]
    public async Task ACorrelationRuleIsListedWithTheFilterItWasCreatedWith()
    {
        var topic = await _admin.CreateFreshTopicAsync("corr-listed");
        var filter = new CorrelationRuleFilter { CorrelationId = "c-1", Subject = "order.*", ApplicationProperties = { ["region"] = "fr", ["amount"] = 5 } };
        await CreateAsync(topic, "s", filter);

        var rule = Assert.Single(await _admin.GetRulesAsync(topic, "s").ToListAsync());

        Assert.Equal("rule", rule.Name);
        var listed = Assert.IsType<CorrelationRuleFilter>(rule.Filter);
        Assert.Equal(filter, listed);
    }

    private Task CreateAsync(string topic, string subscription, CorrelationRuleFilter filter) =>
        _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, subscription), new CreateRuleOptions("rule", filter));
}
