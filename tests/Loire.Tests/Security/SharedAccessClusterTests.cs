using Loire.Client;
using Loire.Client.Administration;
using Loire.Client.Security;
using Loire.Security;

namespace Loire.Tests.Security;

/// <summary>Authorisation end to end: gateway clients with and without tokens against a silo with rules configured.</summary>
[Collection(SecuredClusterCollection.Name)]
public sealed class SharedAccessClusterTests(SecuredClusterFixture fixture)
{
    private LoireAdministrationClient Admin => fixture.Admin.CreateAdministrationClient();

    [Fact]
    public async Task ACallWithoutATokenIsRefusedAndChangesNothing()
    {
        var queue = await CreateQueueAsync();

        var send = await Assert.ThrowsAsync<LoireException>(() => fixture.Anonymous.CreateSender(queue).SendMessageAsync(new LoireMessage("x")));
        var create = await Assert.ThrowsAsync<LoireException>(() => fixture.Anonymous.CreateAdministrationClient().CreateQueueAsync(queue + "-new"));

        Assert.Equal(LoireErrorReason.Unauthorized, send.Reason);
        Assert.False(send.IsTransient);
        Assert.Equal(LoireErrorReason.Unauthorized, create.Reason);
        Assert.Equal(0, (await Admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
        Assert.False(await Admin.QueueExistsAsync(queue + "-new"));
    }

    [Fact]
    public async Task RightsFollowTheRuleThatSignedTheToken()
    {
        var queue = await CreateQueueAsync();

        await fixture.SenderClient.CreateSender(queue).SendMessageAsync(new LoireMessage("hello") { MessageId = "m-1" });
        var senderReceives = await Assert.ThrowsAsync<LoireException>(() => fixture.SenderClient.CreateReceiver(queue).ReceiveMessageAsync(TimeSpan.FromSeconds(1)));
        var listenerSends = await Assert.ThrowsAsync<LoireException>(() => fixture.ListenerClient.CreateSender(queue).SendMessageAsync(new LoireMessage("no")));
        var listenerManages = await Assert.ThrowsAsync<LoireException>(() => fixture.ListenerClient.CreateAdministrationClient().DeleteQueueAsync(queue));
        var received = await fixture.ListenerClient.CreateReceiver(queue).ReceiveMessageAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(LoireErrorReason.Unauthorized, senderReceives.Reason);
        Assert.Equal(LoireErrorReason.Unauthorized, listenerSends.Reason);
        Assert.Equal(LoireErrorReason.Unauthorized, listenerManages.Reason);
        Assert.Equal("m-1", received?.MessageId);
        Assert.True(await Admin.QueueExistsAsync(queue));
    }

    [Fact]
    public async Task ExpiredForgedOrMalformedTokensAreRefused()
    {
        var queue = await CreateQueueAsync();
        var listener = SecuredClusterFixture.Listener;
        var expired = SharedAccessSignature.Create(SecuredClusterFixture.Root.KeyName, SecuredClusterFixture.Root.PrimaryKey, "", DateTimeOffset.UtcNow.AddSeconds(-5));
        // Signed with the Listen rule's key but naming the Manage rule: the rights must come from a verified rule only.
        var claimsRoot = SharedAccessSignature.Create(SecuredClusterFixture.Root.KeyName, listener.PrimaryKey, "", DateTimeOffset.UtcNow.AddHours(1));
        var unknownKey = SharedAccessSignature.Create("nobody", SecuredClusterFixture.NewKey(), "", DateTimeOffset.UtcNow.AddHours(1));

        foreach (var token in new[] { expired, claimsRoot, unknownKey, "SharedAccessSignature sr=&sig=AAAA&se=1&skn=root&x=1" })
        {
            var client = fixture.Connect(new FixedToken(token));
            var e = await Assert.ThrowsAsync<LoireException>(() => client.CreateSender(queue).SendMessageAsync(new LoireMessage("x")));
            Assert.Equal(LoireErrorReason.Unauthorized, e.Reason);
        }

        Assert.Equal(0, (await Admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }

    [Fact]
    public async Task ATokenScopedToOneEntityIsRefusedForAnother()
    {
        var queue = await CreateQueueAsync();
        var other = await CreateQueueAsync("other");
        var scoped = fixture.Connect(SecuredClusterFixture.KeyProvider(SecuredClusterFixture.Sender, queue));

        await scoped.CreateSender(queue).SendMessageAsync(new LoireMessage("in scope"));
        var e = await Assert.ThrowsAsync<LoireException>(() => scoped.CreateSender(other).SendMessageAsync(new LoireMessage("out of scope")));

        Assert.Equal(LoireErrorReason.Unauthorized, e.Reason);
        Assert.Equal(1, (await Admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
        Assert.Equal(0, (await Admin.GetQueueRuntimePropertiesAsync(other)).TotalMessageCount);
    }

    [Fact]
    public async Task TopicFanOutInsideTheSiloIsNotBlockedForASendOnlyClient()
    {
        var topic = Name("topic");
        await Admin.CreateTopicAsync(topic);
        await Admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "all"));

        await fixture.SenderClient.CreateSender(topic).SendMessageAsync(new LoireMessage("fan out") { MessageId = "f-1" });
        var received = await fixture.ListenerClient.CreateReceiver(topic, "all").ReceiveMessageAsync(TimeSpan.FromSeconds(5));

        Assert.Equal("f-1", received?.MessageId);
    }

    [Fact]
    public async Task EntityRulesGrantRightsOnTheirEntityOnlyAndCanBeListedAndDeleted()
    {
        var queue = await CreateQueueAsync();
        var other = await CreateQueueAsync("other");
        var rule = new SharedAccessAuthorizationRule("app-send", SecuredClusterFixture.NewKey(), null, AccessRights.Send);
        await Admin.CreateAuthorizationRuleAsync(queue, rule);
        var app = fixture.Connect(SecuredClusterFixture.KeyProvider(rule, queue));
        var namespaceWide = fixture.Connect(SecuredClusterFixture.KeyProvider(rule));

        await app.CreateSender(queue).SendMessageAsync(new LoireMessage("allowed"));
        var elsewhere = await Assert.ThrowsAsync<LoireException>(() => namespaceWide.CreateSender(other).SendMessageAsync(new LoireMessage("no")));
        var listed = await Admin.GetAuthorizationRulesAsync(queue);
        var duplicate = await Assert.ThrowsAsync<LoireException>(() => Admin.CreateAuthorizationRuleAsync(queue, rule));
        var notManage = await Assert.ThrowsAsync<LoireException>(() => app.CreateAdministrationClient().GetAuthorizationRulesAsync(queue));
        await Admin.DeleteAuthorizationRuleAsync(queue, rule.KeyName);
        var afterDelete = await Assert.ThrowsAsync<LoireException>(() => app.CreateSender(queue).SendMessageAsync(new LoireMessage("revoked")));

        Assert.Equal(LoireErrorReason.Unauthorized, elsewhere.Reason);
        Assert.Equal(rule, Assert.Single(listed));
        Assert.Equal(LoireErrorReason.MessagingEntityAlreadyExists, duplicate.Reason);
        Assert.Equal(LoireErrorReason.Unauthorized, notManage.Reason);
        Assert.Equal(LoireErrorReason.Unauthorized, afterDelete.Reason);
        Assert.Empty(await Admin.GetAuthorizationRulesAsync(queue));
        Assert.Equal(1, (await Admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }

    [Fact]
    public async Task AnEntityRuleOnATopicCoversItsSubscriptions()
    {
        var topic = Name("topic");
        await Admin.CreateTopicAsync(topic);
        await Admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "s"));
        var rule = new SharedAccessAuthorizationRule("topic-app", SecuredClusterFixture.NewKey(), null, AccessRights.Send | AccessRights.Listen);
        await Admin.CreateAuthorizationRuleAsync(topic, rule);
        var app = fixture.Connect(SecuredClusterFixture.KeyProvider(rule, topic));

        await app.CreateSender(topic).SendMessageAsync(new LoireMessage("x") { MessageId = "t-1" });
        var received = await app.CreateReceiver(topic, "s").ReceiveMessageAsync(TimeSpan.FromSeconds(5));

        Assert.Equal("t-1", received?.MessageId);
    }

    [Fact]
    public async Task EntityKeysRotateWithoutRestartAndEitherKeyWorks()
    {
        var queue = await CreateQueueAsync();
        var oldKey = SecuredClusterFixture.NewKey();
        var newKey = SecuredClusterFixture.NewKey();
        await Admin.CreateAuthorizationRuleAsync(queue, new("rotating", oldKey, null, AccessRights.Send));
        var withOld = fixture.Connect(LoireTokenProvider.CreateSharedAccessKeyProvider("rotating", oldKey, queue));
        var withNew = fixture.Connect(LoireTokenProvider.CreateSharedAccessKeyProvider("rotating", newKey, queue));
        await withOld.CreateSender(queue).SendMessageAsync(new LoireMessage("1"));

        await Admin.UpdateAuthorizationRuleAsync(queue, new("rotating", oldKey, newKey, AccessRights.Send));
        await withOld.CreateSender(queue).SendMessageAsync(new LoireMessage("2"));
        await withNew.CreateSender(queue).SendMessageAsync(new LoireMessage("3"));
        await Admin.UpdateAuthorizationRuleAsync(queue, new("rotating", newKey, null, AccessRights.Send));
        var retired = await Assert.ThrowsAsync<LoireException>(() => withOld.CreateSender(queue).SendMessageAsync(new LoireMessage("4")));
        await withNew.CreateSender(queue).SendMessageAsync(new LoireMessage("5"));

        Assert.Equal(LoireErrorReason.Unauthorized, retired.Reason);
        Assert.Equal(4, (await Admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }

    [Fact]
    public async Task RegeneratingOneKeyRetiresItsTokensAndKeepsTheOtherKeysTokensWorking()
    {
        var queue = await CreateQueueAsync();
        var primary = SecuredClusterFixture.NewKey();
        var secondary = SecuredClusterFixture.NewKey();
        await Admin.CreateAuthorizationRuleAsync(queue, new("regen", primary, secondary, AccessRights.Send));
        var withPrimary = fixture.Connect(LoireTokenProvider.CreateSharedAccessKeyProvider("regen", primary, queue));
        var withSecondary = fixture.Connect(LoireTokenProvider.CreateSharedAccessKeyProvider("regen", secondary, queue));
        await withPrimary.CreateSender(queue).SendMessageAsync(new LoireMessage("1"));
        var auditedBefore = fixture.Audit.Count("Entity.RegenerateAccessRuleKey", "ok");

        // Refused without Manage, and for a rule that does not exist: nothing changes.
        var notManage = await Assert.ThrowsAsync<LoireException>(() =>
            fixture.ListenerClient.CreateAdministrationClient().RegenerateAccessRuleKeyAsync(queue, "regen", AccessKeyType.PrimaryKey));
        var unknown = await Assert.ThrowsAsync<LoireException>(() => Admin.RegenerateAccessRuleKeyAsync(queue, "nobody", AccessKeyType.PrimaryKey));
        Assert.Equal(LoireErrorReason.Unauthorized, notManage.Reason);
        Assert.Equal(LoireErrorReason.MessagingEntityNotFound, unknown.Reason);
        Assert.Equal(new SharedAccessAuthorizationRule("regen", primary, secondary, AccessRights.Send), Assert.Single(await Admin.GetAuthorizationRulesAsync(queue)));

        var rule = await Admin.RegenerateAccessRuleKeyAsync(queue, "regen", AccessKeyType.PrimaryKey);

        Assert.NotEqual(primary, rule.PrimaryKey);
        Assert.Equal(32, Convert.FromBase64String(rule.PrimaryKey).Length);
        Assert.Equal(new SharedAccessAuthorizationRule("regen", rule.PrimaryKey, secondary, AccessRights.Send), rule);
        Assert.Equal(rule, Assert.Single(await Admin.GetAuthorizationRulesAsync(queue)));
        var retired = await Assert.ThrowsAsync<LoireException>(() => withPrimary.CreateSender(queue).SendMessageAsync(new LoireMessage("old primary")));
        Assert.Equal(LoireErrorReason.Unauthorized, retired.Reason);
        await withSecondary.CreateSender(queue).SendMessageAsync(new LoireMessage("2"));
        await fixture.Connect(LoireTokenProvider.CreateSharedAccessKeyProvider("regen", rule.PrimaryKey, queue)).CreateSender(queue).SendMessageAsync(new LoireMessage("3"));
        Assert.Equal(3, (await Admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
        Assert.Equal(auditedBefore + 1, fixture.Audit.Count("Entity.RegenerateAccessRuleKey", "ok"));
        Assert.DoesNotContain(fixture.Audit.For(queue), e => e.Values.Any(v => v.Contains(rule.PrimaryKey, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task NamespaceKeysRotateWithoutRestart()
    {
        var queue = await CreateQueueAsync();
        var original = fixture.NamespaceRules.Current.ToArray();
        var oldKey = SecuredClusterFixture.NewKey();
        var newKey = SecuredClusterFixture.NewKey();
        var withOld = fixture.Connect(LoireTokenProvider.CreateSharedAccessKeyProvider("ns-rotating", oldKey));
        var withNew = fixture.Connect(LoireTokenProvider.CreateSharedAccessKeyProvider("ns-rotating", newKey));
        try
        {
            fixture.NamespaceRules.Replace([.. original, new("ns-rotating", oldKey, newKey, AccessRights.Send)]);
            await withOld.CreateSender(queue).SendMessageAsync(new LoireMessage("1"));
            await withNew.CreateSender(queue).SendMessageAsync(new LoireMessage("2"));
            fixture.NamespaceRules.Replace([.. original, new("ns-rotating", newKey, null, AccessRights.Send)]);
            var retired = await Assert.ThrowsAsync<LoireException>(() => withOld.CreateSender(queue).SendMessageAsync(new LoireMessage("3")));
            await withNew.CreateSender(queue).SendMessageAsync(new LoireMessage("4"));

            Assert.Equal(LoireErrorReason.Unauthorized, retired.Reason);
            Assert.Equal(3, (await Admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
        }
        finally
        {
            fixture.NamespaceRules.Replace(original);
        }
    }

    [Fact]
    public async Task ManagementOperationsAndRefusalsAreAudited()
    {
        var queue = Name("audited");
        var createdBefore = fixture.Audit.Count("Entity.Create", "ok");
        var refusedBefore = fixture.Audit.Count("Entity.Delete", "refused");
        var ruleBefore = fixture.Audit.Count("Entity.PutAccessRule", "ok");

        await Admin.CreateQueueAsync(queue);
        await Assert.ThrowsAsync<LoireException>(() => fixture.SenderClient.CreateAdministrationClient().DeleteQueueAsync(queue));
        await Admin.CreateAuthorizationRuleAsync(queue, new("audited-rule", SecuredClusterFixture.NewKey(), null, AccessRights.Listen));

        var events = fixture.Audit.For(queue);
        Assert.Contains(events, e => e["Who"] == "root" && e["Operation"] == "Entity.Create" && e["Result"] == "ok");
        Assert.Contains(events, e => e["Who"] == "sender" && e["Operation"] == "Entity.Delete" && e["Result"] == "refused" && e["Level"] == "Warning");
        Assert.Contains(events, e => e["Who"] == "root" && e["Operation"] == "Entity.PutAccessRule" && e["Result"] == "ok");
        Assert.DoesNotContain(events, e => e.Values.Any(v => v.Contains(SecuredClusterFixture.Root.PrimaryKey, StringComparison.Ordinal)));
        Assert.Equal(createdBefore + 1, fixture.Audit.Count("Entity.Create", "ok"));
        Assert.Equal(refusedBefore + 1, fixture.Audit.Count("Entity.Delete", "refused"));
        Assert.Equal(ruleBefore + 1, fixture.Audit.Count("Entity.PutAccessRule", "ok"));
    }

    private async Task<string> CreateQueueAsync(string suffix = "q")
    {
        var queue = Name(suffix);
        await Admin.CreateQueueAsync(queue);
        return queue;
    }

    private static string Name(string suffix) => $"sec-{suffix}-{Guid.NewGuid():N}"[..30];

    private sealed class FixedToken(string token) : LoireTokenProvider
    {
        public override ValueTask<string> GetTokenAsync(CancellationToken cancellationToken = default) => new(token);
    }
}
