using Amqp;
using Amqp.Framing;
using Loire.Client;
using Loire.ProcessTests.Infrastructure;

namespace Loire.ProcessTests.Amqp;

/// <summary>
/// The AMQP front door of a silo with shared access rules: the same rules as the gateway decide who connects and which
/// links attach, whether the client signs in with a rule's key or a SharedAccessSignature token.
/// </summary>
[Collection(SiloProcessCollection.Name)]
public sealed class AmqpSharedAccessTests
{
    [Fact]
    public async Task LinksAttachOnlyWithTheRightsOfTheRule()
    {
        const string queue = "amqp-secured";
        var rootKey = AccessRulesFile.NewKey();
        var sendKey = AccessRulesFile.NewKey();
        var rulesFile = Path.Combine(Directory.CreateTempSubdirectory("loire-amqp-rules-").FullName, "rules.json");
        AccessRulesFile.Write(rulesFile, ("root", rootKey, null, "Manage"), ("app", sendKey, null, "Send"));
        var (silo, port) = await AmqpSilo.StartAsync("--access-rules", rulesFile);
        await using var _ = silo;
        await using var client = new LoireClient($"Endpoint=loire://{silo.Gateway};SharedAccessKeyName=root;SharedAccessKey={rootKey}");
        await client.CreateAdministrationClient().CreateQueueAsync(queue);

        // No credentials: SASL ANONYMOUS is refused while rules are on.
        await Assert.ThrowsAnyAsync<Exception>(() => Connection.Factory.CreateAsync(new Address($"amqp://127.0.0.1:{port}")));

        // The Send rule's key as PLAIN: its sender works, its receiver is refused at attach.
        var app = await Connection.Factory.CreateAsync(new Address($"amqp://app:{Uri.EscapeDataString(sendKey)}@127.0.0.1:{port}"));
        try
        {
            var session = new Session(app);
            var sender = new SenderLink(session, "app-sender", queue);
            await sender.SendAsync(new Message("hello") { Properties = new Properties { MessageId = "m-1" } });
            var refused = await Assert.ThrowsAsync<AmqpException>(async () =>
            {
                var receiver = new ReceiverLink(session, "app-receiver", queue);
                await receiver.ReceiveAsync(TimeSpan.FromSeconds(5));
            });
            Assert.Equal(global::Amqp.ErrorCode.UnauthorizedAccess, (string)refused.Error.Condition);
        }
        finally
        {
            await app.CloseAsync();
        }

        // A token of the Manage rule as the password: it may receive what the Send rule's link sent.
        var token = AccessRulesFile.Token("root", rootKey);
        var root = await Connection.Factory.CreateAsync(new Address($"amqp://root:{Uri.EscapeDataString(token)}@127.0.0.1:{port}"));
        try
        {
            var receiver = new ReceiverLink(new Session(root), "root-receiver", queue);
            var message = await receiver.ReceiveAsync(TimeSpan.FromSeconds(10));
            Assert.NotNull(message);
            Assert.Equal("m-1", message.Properties.MessageId);
            receiver.Accept(message);
        }
        finally
        {
            await root.CloseAsync();
        }

        // A wrong key connects (the key is checked per link) but attaches nothing.
        var wrong = await Connection.Factory.CreateAsync(new Address($"amqp://app:{Uri.EscapeDataString(AccessRulesFile.NewKey())}@127.0.0.1:{port}"));
        try
        {
            var sender = new SenderLink(new Session(wrong), "wrong-sender", queue);
            var refused = await Assert.ThrowsAsync<AmqpException>(() => sender.SendAsync(new Message("no")));
            Assert.Equal(global::Amqp.ErrorCode.UnauthorizedAccess, (string)refused.Error.Condition);
        }
        finally
        {
            await wrong.CloseAsync();
        }
    }
}
