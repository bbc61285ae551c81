using Loire.Grains.Security;
using Loire.Security;

namespace Loire.Silo.Amqp.Security;

/// <summary>
/// The AMQP front door under the silo's shared access rules, the same ones that guard the gateway and the HTTP port.
/// While no rules are configured it is as open as they are. With rules, ANONYMOUS is refused; PLAIN takes a
/// SharedAccessSignature token as the password, or a rule's key name and key (signed into a short-lived token for each
/// check, so a connection outlives no rotation); every link attach is authorised like a client call (Send to send,
/// Listen to receive), and a refusal is audited.
/// </summary>
public sealed class SharedAccessAmqpAccessControl(SharedAccessAuthorizer authorizer, SecurityAudit audit, TimeProvider time) : IAmqpAccessControl
{
    private static readonly TimeSpan KeyTokenLifetime = TimeSpan.FromMinutes(5);

    public bool AllowsAnonymous => !authorizer.Enabled;

    public ValueTask<AmqpIdentity?> AuthenticateAsync(string userName, string password, CancellationToken cancellationToken)
    {
        if (!authorizer.Enabled)
        {
            return ValueTask.FromResult<AmqpIdentity?>(new AmqpIdentity(userName.Length > 0 ? userName : "anonymous", "PLAIN"));
        }

        if (password.StartsWith(SharedAccessSignature.Scheme + " ", StringComparison.Ordinal))
        {
            var token = SharedAccessSignature.TryParse(password, out _);
            return ValueTask.FromResult(token is null || token.ExpiresAt <= time.GetUtcNow()
                ? null
                : new AmqpIdentity(token.KeyName, "PLAIN") { Token = password });
        }

        return ValueTask.FromResult(userName.Length == 0 || password.Length == 0
            ? null
            : new AmqpIdentity(userName, "PLAIN") { Key = password });
    }

    public async ValueTask<bool> AuthorizeAsync(AmqpIdentity identity, string entityPath, AmqpAccess access, CancellationToken cancellationToken)
    {
        if (!authorizer.Enabled)
        {
            return true;
        }

        var token = identity.Token
            ?? (identity.Key is { } key ? SharedAccessSignature.Create(identity.Name, key, "", time.GetUtcNow() + KeyTokenLifetime) : null);
        var rights = access == AmqpAccess.Send ? AccessRights.Send : AccessRights.Listen;
        var decision = await authorizer.AuthorizeAsync(token, entityPath, rights, cancellationToken).ConfigureAwait(false);
        if (!decision.Allowed)
        {
            audit.Record(decision.Who, $"AMQP attach {access}", entityPath, AuditResult.Refused, decision.Failure);
        }

        return decision.Allowed;
    }
}
