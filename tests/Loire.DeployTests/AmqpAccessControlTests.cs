using Amqp;
using Loire.Client;
using Loire.Silo.Amqp;
using Loire.Silo.Amqp.Security;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ErrorCode = Amqp.ErrorCode;

namespace Loire.DeployTests;

/// <summary>
/// The AMQP front door's access-control seam with an implementation that requires a key, as shared-access rules will:
/// the SASL exchange and link attach consult it before anything reaches the cluster, so no cluster runs here.
/// </summary>
public sealed class AmqpAccessControlTests : IAsyncLifetime
{
    // Never connected: every connection here is refused before a link could look an entity up.
    private readonly LoireClient _client = new("127.0.0.1:1");
    private AmqpFrontDoor _door = null!;

    public async Task InitializeAsync()
    {
        _door = new AmqpFrontDoor(_client, new KeyRequired(), Options.Create(new AmqpFrontDoorOptions()), NullLoggerFactory.Instance);
        await _door.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _door.DisposeAsync();
        await _client.DisposeAsync();
    }

    [Fact]
    public async Task AWrongKeyFailsTheSaslExchange()
    {
        var refused = await Assert.ThrowsAsync<AmqpException>(() => Connection.Factory.CreateAsync(Address("sender:wrong")));
        Assert.Equal(new Amqp.Types.Symbol(ErrorCode.UnauthorizedAccess), refused.Error.Condition);
    }

    [Fact]
    public async Task AClientWithoutCredentialsIsRefusedWhenAnonymousIsOff()
    {
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            var connection = await Connection.Factory.CreateAsync(Address(userInfo: null));
            await connection.CloseAsync();
        });
    }

    [Fact]
    public async Task ALinkTheIdentityMayNotUseIsRefusedWithUnauthorizedAccess()
    {
        var connection = await Connection.Factory.CreateAsync(Address("sender:key"));
        try
        {
            var receiver = new ReceiverLink(new Session(connection), "listen", "orders");
            var closed = new TaskCompletionSource<Amqp.Framing.Error?>(TaskCreationOptions.RunContinuationsAsynchronously);
            receiver.AddClosedCallback((_, error) => closed.TrySetResult(error));
            var error = await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(new Amqp.Types.Symbol(ErrorCode.UnauthorizedAccess), error!.Condition);
            Assert.Contains("'sender' may not listen on 'orders'", error.Description, StringComparison.Ordinal);
        }
        finally
        {
            await connection.CloseAsync();
        }
    }

    private Address Address(string? userInfo) =>
        new(userInfo is null ? $"amqp://127.0.0.1:{_door.Port}" : $"amqp://{userInfo}@127.0.0.1:{_door.Port}");

    /// <summary>One key, allowed to send only.</summary>
    private sealed class KeyRequired : IAmqpAccessControl
    {
        public bool AllowsAnonymous => false;

        public ValueTask<AmqpIdentity?> AuthenticateAsync(string userName, string password, CancellationToken cancellationToken) =>
            ValueTask.FromResult(userName == "sender" && password == "key" ? new AmqpIdentity(userName, "PLAIN") : null);

        public ValueTask<bool> AuthorizeAsync(AmqpIdentity identity, string entityPath, AmqpAccess access, CancellationToken cancellationToken) =>
            ValueTask.FromResult(identity.Name == "sender" && access == AmqpAccess.Send);
    }
}
