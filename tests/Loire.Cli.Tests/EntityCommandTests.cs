using Loire.Cli.Tests.Infrastructure;

namespace Loire.Cli.Tests;

[Collection(SiloCollection.Name)]
public sealed class EntityCommandTests(SiloFixture silo)
{
    private readonly CliRunner _cli = new(silo.Gateway);

    [Fact]
    public async Task QueueCreateListGetDeleteRoundTrip()
    {
        var name = EntityNames.For();
        var created = await _cli.ExpectAsync(0, "queue", "create", name, "--lock-duration", "45s", "--max-delivery-count", "3", "--sessions", "--json");
        Assert.Equal(45, TimeSpan.Parse(created.Json().GetProperty("lockDuration").GetString()!).TotalSeconds);
        Assert.True(created.Json().GetProperty("requiresSession").GetBoolean());

        var list = await _cli.ExpectAsync(0, "queue", "list", "--prefix", name, "--json");
        var only = Assert.Single(list.Json().EnumerateArray());
        Assert.Equal(name, only.GetProperty("name").GetString());
        Assert.Equal(3, only.GetProperty("maxDeliveryCount").GetInt32());

        var table = await _cli.ExpectAsync(0, "queue", "get", name);
        Assert.Contains("MaxDeliveryCount", table.Out);
        Assert.Contains("45s", table.Out);

        await _cli.ExpectAsync(0, "queue", "delete", name);
        var missing = await _cli.ExpectAsync(2, "queue", "get", name);
        Assert.Empty(missing.Out);
        Assert.Contains("MessagingEntityNotFound", missing.Error);
        Assert.DoesNotContain("   at ", missing.Error);
    }

    [Fact]
    public async Task UpdateChangesTheGivenSettingsAndABadOneChangesNothing()
    {
        var name = EntityNames.For();
        await _cli.ExpectAsync(0, "queue", "create", name, "--max-delivery-count", "4", "--ttl", "1h");
        var updated = await _cli.ExpectAsync(0, "queue", "update", name, "--max-delivery-count", "2", "--lock-duration", "1m", "--json");
        Assert.Equal(2, updated.Json().GetProperty("maxDeliveryCount").GetInt32());
        Assert.Equal(TimeSpan.FromMinutes(1), TimeSpan.Parse(updated.Json().GetProperty("lockDuration").GetString()!));
        Assert.Equal(TimeSpan.FromHours(1), TimeSpan.Parse(updated.Json().GetProperty("defaultMessageTimeToLive").GetString()!)); // not given: kept

        var tooLong = await _cli.ExpectAsync(4, "queue", "update", name, "--lock-duration", "10m", "--max-delivery-count", "9");
        Assert.Contains("LockDuration", tooLong.Error);
        var fixedSetting = await _cli.ExpectAsync(4, "queue", "update", name, "--sessions", "--max-delivery-count", "9");
        Assert.Contains("RequiresSession cannot be changed", fixedSetting.Error);
        await _cli.ExpectAsync(1, "queue", "update", name, "--lock-duration", "soon");
        await _cli.ExpectAsync(2, "queue", "update", EntityNames.For("missing"), "--max-delivery-count", "3");
        var after = (await _cli.ExpectAsync(0, "queue", "get", name, "--json")).Json();
        Assert.Equal((2, false), (after.GetProperty("maxDeliveryCount").GetInt32(), after.GetProperty("requiresSession").GetBoolean()));

        var topic = EntityNames.For();
        await _cli.ExpectAsync(0, "topic", "create", topic);
        await _cli.ExpectAsync(0, "subscription", "create", topic, "audit");
        var topicUpdated = await _cli.ExpectAsync(0, "topic", "update", topic, "--ttl", "2h", "--json");
        Assert.Equal(TimeSpan.FromHours(2), TimeSpan.Parse(topicUpdated.Json().GetProperty("defaultMessageTimeToLive").GetString()!));
        var subscriptionUpdated = await _cli.ExpectAsync(0, "subscription", "update", topic, "audit", "--max-delivery-count", "3", "--json");
        Assert.Equal(3, subscriptionUpdated.Json().GetProperty("maxDeliveryCount").GetInt32());
        await _cli.ExpectAsync(4, "subscription", "update", topic, "audit", "--max-delivery-count", "0");
        Assert.Equal(3, (await _cli.ExpectAsync(0, "subscription", "get", topic, "audit", "--json")).Json().GetProperty("maxDeliveryCount").GetInt32());
    }

    [Fact]
    public async Task CreatingAnExistingQueueExitsWithConflict()
    {
        var name = EntityNames.For();
        await _cli.ExpectAsync(0, "queue", "create", name);
        var again = await _cli.ExpectAsync(3, "queue", "create", name);
        Assert.Contains("already exists", again.Error);
        await _cli.ExpectAsync(2, "queue", "delete", EntityNames.For("missing"));
    }

    [Fact]
    public async Task SubscriptionsAndRulesWithSqlAndCorrelationFilters()
    {
        var topic = EntityNames.For();
        await _cli.ExpectAsync(0, "topic", "create", topic, "--duplicate-detection");
        var badFilter = await _cli.ExpectAsync(4, "subscription", "create", topic, "audit", "--sql", "amount >");
        Assert.Contains("InvalidArgument", badFilter.Error);
        await _cli.ExpectAsync(1, "subscription", "create", topic, "audit", "--sql", "a = 1", "--subject", "x");

        await _cli.ExpectAsync(0, "subscription", "create", topic, "audit", "--sql", "amount > 100", "--rule-name", "big", "--max-delivery-count", "4");
        await _cli.ExpectAsync(0, "rule", "create", topic, "audit", "orders", "--subject", "order.*", "-p", "region=eu");
        await _cli.ExpectAsync(3, "rule", "create", topic, "audit", "orders");
        await _cli.ExpectAsync(4, "rule", "create", topic, "audit", "broken", "--sql", "(");

        var rules = (await _cli.ExpectAsync(0, "rule", "list", topic, "audit", "--json")).Json().EnumerateArray().ToList();
        Assert.Equal(["big", "orders"], rules.Select(r => r.GetProperty("name").GetString()));
        Assert.Equal("amount > 100", rules[0].GetProperty("sql").GetString());
        Assert.Equal("eu", rules[1].GetProperty("correlation").GetProperty("properties").GetProperty("region").GetString());

        var subscriptions = (await _cli.ExpectAsync(0, "subscription", "list", topic, "--json")).Json();
        Assert.Equal(4, Assert.Single(subscriptions.EnumerateArray()).GetProperty("maxDeliveryCount").GetInt32());

        // Only the numeric property passes the SQL rule; the correlation rule wants the subject.
        var path = $"{topic}/subscriptions/audit";
        await _cli.ExpectAsync(0, "send", topic, "--body", "small", "-p", "amount:int=5");
        await _cli.ExpectAsync(0, "send", topic, "--body", "large", "-p", "amount:int=500");
        await _cli.ExpectAsync(0, "send", topic, "--body", "order", "--subject", "order.created", "-p", "region=eu");
        var received = await _cli.ExpectAsync(0, "receive", path, "--count", "3", "--wait", "2", "--json");
        Assert.Equal(["large", "order"], received.Json().EnumerateArray().Select(m => m.GetProperty("body").GetString()).Order());

        await _cli.ExpectAsync(0, "rule", "delete", topic, "audit", "orders");
        await _cli.ExpectAsync(2, "rule", "delete", topic, "audit", "orders");
        var stats = (await _cli.ExpectAsync(0, "stats", path, "--json")).Json();
        Assert.Equal("subscription", Assert.Single(stats.EnumerateArray()).GetProperty("kind").GetString());
        await _cli.ExpectAsync(0, "subscription", "delete", topic, "audit");
        await _cli.ExpectAsync(0, "topic", "delete", topic);
    }
}
