namespace Loire.Silo.Amqp.Security;

/// <summary>
/// The access control while the silo has no shared-access rules: like the gateway, it trusts every client. ANONYMOUS is
/// offered, PLAIN accepts any user name and password (the user name becomes the identity), and every link may attach.
/// </summary>
public sealed class OpenAmqpAccessControl : IAmqpAccessControl
{
    public bool AllowsAnonymous => true;

    public ValueTask<AmqpIdentity?> AuthenticateAsync(string userName, string password, CancellationToken cancellationToken) =>
        ValueTask.FromResult<AmqpIdentity?>(new AmqpIdentity(userName.Length > 0 ? userName : "anonymous", "PLAIN"));

    public ValueTask<bool> AuthorizeAsync(AmqpIdentity identity, string entityPath, AmqpAccess access, CancellationToken cancellationToken) =>
        ValueTask.FromResult(true);
}
