using Loire.Client;
using Loire.Client.Administration;
using Loire.Tests.Infrastructure;
using static Loire.Tests.Topics.TopicTestKit;

namespace Loire.Tests.Topics;

/// <summary>Creating, listing and deleting rules on live subscriptions, and refusing malformed filters.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RuleManagementTests(ClusterFixture fixture)
{
    private readonly LoireClient _client = fixture.Client;
    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    public static TheoryData<string> MalformedSqlFilters =>
    [
        "priority = ",
        "priority = 'high",
        "priority == 'high'",
        "amount >> 5",
        "region IN ()",
        "(priority = 'high'",
        "priority = 'high')",
        "EXISTS customer",
        "'just a string'",
        "priority = 'high' AND",
        "amount = NULL",
        "priority = \"high\"",
        "amount > 'ten' + 1",
        "sys. = 1",
        "region LIKE 5",
    ];

    [Theory]
    [MemberData(nameof(MalformedSqlFilters))]
    public async Task AMalformedSqlFilterOnCreateSubscriptionIsRefusedWithInvalidArgumentAndNothingIsCreated(string filter)
    {
        var topic = await _admin.CreateFreshTopicAsync("rules-bad-create-sub");

        var exception = await ThrowsLoireAsync(LoireErrorReason.InvalidArgument,
            () => _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "s"), new CreateRuleOptions("bad-rule", new SqlRuleFilter(filter))));

        Assert.Contains("bad-rule", exception.Message);
        Assert.Contains("column", exception.Message);
        Assert.False(await _admin.SubscriptionExistsAsync(topic, "s"));
        Assert.Empty(await _admin.GetSubscriptionsAsync(topic).ToListAsync());
        Assert.Equal(0, (await _admin.GetTopicRuntimePropertiesAsync(topic)).SubscriptionCount);

        // The name is still free.
        await _admin.CreateSubscriptionAsync(topic, "s");
    }

    [Theory]
    [MemberData(nameof(MalformedSqlFilters))]
    public async Task AMalformedSqlFilterOnCreateRuleIsRefusedWithInvalidArgumentAndTheRulesAreUnchanged(string filter)
    {
        var topic = await _admin.CreateFreshTopicAsync("rules-bad-create-rule");
        await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "s"), new CreateRuleOptions("high", new SqlRuleFilter("priority = 'high'")));

        var exception = await ThrowsLoireAsync(LoireErrorReason.InvalidArgument,
            () => _admin.CreateRuleAsync(topic, "s", new CreateRuleOptions("bad-rule", new SqlRuleFilter(filter))));

        Assert.Contains("bad-rule", exception.Message);
        Assert.Contains("column", exception.Message);
        var rules = await _admin.GetRulesAsync(topic, "s").ToListAsync();
        var rule = Assert.Single(rules);
        Assert.Equal("high", rule.Name);
        Assert.Equal(new SqlRuleFilter("priority = 'high'"), rule.Filter);

        // Routing is unchanged too.
        await using var sender = _client.CreateSender(topic);
        await sender.SendMessagesAsync([Message("m-high", ("priority", "high")), Message("m-low", ("priority", "low"))]);
        Assert.Equal(["m-high"], await DrainIdsAsync(_client, topic, "s", 1));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task AnEmptySqlFilterIsRefusedWithInvalidArgument(string filter)
    {
        var topic = await _admin.CreateFreshTopicAsync("rules-empty-sql");
        await _admin.CreateSubscriptionAsync(topic, "existing");

        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument,
            () => _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "s"), new CreateRuleOptions("r", new SqlRuleFilter(filter))));
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument,
            () => _admin.CreateRuleAsync(topic, "existing", new CreateRuleOptions("r", new SqlRuleFilter(filter))));

        Assert.False(await _admin.SubscriptionExistsAsync(topic, "s"));
        Assert.Equal([RuleProperties.DefaultRuleName], (await _admin.GetRulesAsync(topic, "existing").ToListAsync()).Select(r => r.Name));
    }

    [Fact]
    public async Task AddingARuleToALiveSubscriptionMakesMessagesMatchingItArriveFromThenOn()
    {
        var topic = await _admin.CreateFreshTopicAsync("rules-add");
        await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "s"), new CreateRuleOptions("high", new SqlRuleFilter("priority = 'high'")));
        await using var sender = _client.CreateSender(topic);
        await sender.SendMessagesAsync([Message("before-high", ("priority", "high")), Message("before-low", ("priority", "low"))]);

        var created = await _admin.CreateRuleAsync(topic, "s", new CreateRuleOptions("low", new SqlRuleFilter("priority = 'low'")));
        Assert.Equal("low", created.Name);
        await sender.SendMessagesAsync(
        [
            Message("after-high", ("priority", "high")),
            Message("after-low", ("priority", "low")),
            Message("after-medium", ("priority", "medium")),
        ]);

        // A rule is not retroactive: "before-low" was not kept for it.
        Assert.Equal(["after-high", "after-low", "before-high"], await DrainIdsAsync(_client, topic, "s", 3));
    }

    [Fact]
    public async Task AddingACorrelationRuleToALiveSubscriptionRoutesByIt()
    {
        var topic = await _admin.CreateFreshTopicAsync("rules-add-correlation");
        await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "s"), new CreateRuleOptions("never", new FalseRuleFilter()));
        await using var sender = _client.CreateSender(topic);

        await _admin.CreateRuleAsync(topic, "s", new CreateRuleOptions("orders", new CorrelationRuleFilter { Subject = "order.*" }));
        await sender.SendMessagesAsync(
        [
            new LoireMessage("1") { MessageId = "m-created", Subject = "order.created" },
            new LoireMessage("2") { MessageId = "m-deep", Subject = "order.created.eu" },
            new LoireMessage("3") { MessageId = "m-invoice", Subject = "invoice.created" },
        ]);

        Assert.Equal(["m-created"], await DrainIdsAsync(_client, topic, "s", 1));
    }

    [Fact]
    public async Task DeletingTheDefaultRuleStopsDeliveryUntilAnotherRuleIsAdded()
    {
        var topic = await _admin.CreateFreshTopicAsync("rules-delete-default");
        await _admin.CreateSubscriptionAsync(topic, "s");
        await using var sender = _client.CreateSender(topic);
        await sender.SendMessageAsync(Message("with-default"));

        await _admin.DeleteRuleAsync(topic, "s", RuleProperties.DefaultRuleName);

        Assert.Empty(await _admin.GetRulesAsync(topic, "s").ToListAsync());
        await sender.SendMessageAsync(Message("without-rules"));
        Assert.Equal(1, (await _admin.GetSubscriptionRuntimePropertiesAsync(topic, "s")).ActiveMessageCount);
        Assert.True(await _admin.SubscriptionExistsAsync(topic, "s"));

        await _admin.CreateRuleAsync(topic, "s", new CreateRuleOptions());
        await sender.SendMessageAsync(Message("default-again"));

        Assert.Equal(["default-again", "with-default"], await DrainIdsAsync(_client, topic, "s", 2));
    }

    [Fact]
    public async Task DeletingOneOfTwoRulesKeepsRoutingByTheOther()
    {
        var topic = await _admin.CreateFreshTopicAsync("rules-delete-one");
        await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "s"), new CreateRuleOptions("high", new SqlRuleFilter("priority = 'high'")));
        await _admin.CreateRuleAsync(topic, "s", new CreateRuleOptions("fr", new SqlRuleFilter("region = 'fr'")));
        await using var sender = _client.CreateSender(topic);

        await _admin.DeleteRuleAsync(topic, "s", "high");
        await sender.SendMessagesAsync([Message("m-high", ("priority", "high")), Message("m-fr", ("region", "fr"))]);

        Assert.Equal(["fr"], (await _admin.GetRulesAsync(topic, "s").ToListAsync()).Select(r => r.Name));
        Assert.Equal(["m-fr"], await DrainIdsAsync(_client, topic, "s", 1));
    }

    [Fact]
    public async Task ListingRulesReturnsEveryRuleWithItsFilterInCreationOrder()
    {
        var topic = await _admin.CreateFreshTopicAsync("rules-list");
        await _admin.CreateSubscriptionAsync(topic, "s");
        var sql = new SqlRuleFilter("priority = 'high' AND amount > 100");
        var correlation = new CorrelationRuleFilter { Subject = "order.#", ApplicationProperties = { ["region"] = "fr" } };
        await _admin.CreateRuleAsync(topic, "s", new CreateRuleOptions("sql", sql));
        await _admin.CreateRuleAsync(topic, "s", new CreateRuleOptions("correlation", correlation));
        await _admin.CreateRuleAsync(topic, "s", new CreateRuleOptions("nothing", new FalseRuleFilter()));

        var rules = await _admin.GetRulesAsync(topic, "s").ToListAsync();

        Assert.Equal([RuleProperties.DefaultRuleName, "sql", "correlation", "nothing"], rules.Select(r => r.Name));
        Assert.IsType<TrueRuleFilter>(rules[0].Filter);
        Assert.Equal(sql, rules[1].Filter);
        Assert.Equal(correlation, rules[2].Filter);
        Assert.IsType<FalseRuleFilter>(rules[3].Filter);
        var one = await _admin.GetRuleAsync(topic, "s", "sql");
        Assert.Equal(sql, one.Filter);
        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => _admin.GetRuleAsync(topic, "s", "missing"));
    }

    [Fact]
    public async Task CreatingARuleWhoseNameIsTakenFailsWithAlreadyExistsAndKeepsTheOriginal()
    {
        var topic = await _admin.CreateFreshTopicAsync("rules-duplicate");
        await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "s"), new CreateRuleOptions("r", new SqlRuleFilter("a = 1")));

        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityAlreadyExists,
            () => _admin.CreateRuleAsync(topic, "s", new CreateRuleOptions("r", new SqlRuleFilter("a = 2"))));

        var rule = Assert.Single(await _admin.GetRulesAsync(topic, "s").ToListAsync());
        Assert.Equal(new SqlRuleFilter("a = 1"), rule.Filter);
    }

    [Fact]
    public async Task RuleNamesAreMatchedWithoutRegardToCaseEverywhere()
    {
        var topic = await _admin.CreateFreshTopicAsync("rules-case");
        await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "s"), new CreateRuleOptions("Orders", new SqlRuleFilter("a = 1")));

        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityAlreadyExists,
            () => _admin.CreateRuleAsync(topic, "s", new CreateRuleOptions("orders", new SqlRuleFilter("a = 2"))));
        var found = await _admin.GetRuleAsync(topic, "s", "ORDERS");
        Assert.Equal("Orders", found.Name);
        Assert.Equal(new SqlRuleFilter("a = 1"), found.Filter);

        await _admin.DeleteRuleAsync(topic, "s", "oRdErS");

        Assert.Empty(await _admin.GetRulesAsync(topic, "s").ToListAsync());
    }

    [Fact]
    public async Task DeletingAnUnknownRuleFailsWithNotFoundAndChangesNothing()
    {
        var topic = await _admin.CreateFreshTopicAsync("rules-delete-unknown");
        await _admin.CreateSubscriptionAsync(topic, "s");

        await ThrowsLoireAsync(LoireErrorReason.MessagingEntityNotFound, () => _admin.DeleteRuleAsync(topic, "s", "missing"));

        Assert.Equal([RuleProperties.DefaultRuleName], (await _admin.GetRulesAsync(topic, "s").ToListAsync()).Select(r => r.Name));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("has space")]
    [InlineData("$custom")]
    public async Task AnInvalidRuleNameIsRefusedWithInvalidArgument(string ruleName)
    {
        var topic = await _admin.CreateFreshTopicAsync("rules-bad-name");
        await _admin.CreateSubscriptionAsync(topic, "s");

        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument,
            () => _admin.CreateRuleAsync(topic, "s", new CreateRuleOptions(ruleName, new SqlRuleFilter("a = 1"))));
        await ThrowsLoireAsync(LoireErrorReason.InvalidArgument,
            () => _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "t"), new CreateRuleOptions(ruleName, new SqlRuleFilter("a = 1"))));

        Assert.Equal([RuleProperties.DefaultRuleName], (await _admin.GetRulesAsync(topic, "s").ToListAsync()).Select(r => r.Name));
        Assert.False(await _admin.SubscriptionExistsAsync(topic, "t"));
    }
}
