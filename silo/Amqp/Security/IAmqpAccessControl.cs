namespace Loire.Silo.Amqp.Security;

/// <summary>
/// Who may connect to the AMQP front door and what they may do there: the seam shared-access rules plug into.
/// Register an implementation in the silo's services to replace <see cref="OpenAmqpAccessControl"/>.
/// </summary>
public interface IAmqpAccessControl
{
    /// <summary>Whether SASL ANONYMOUS (and connections without SASL) are accepted; only while no authorisation is configured.</summary>
    bool AllowsAnonymous { get; }

    /// <summary>
    /// Checks SASL PLAIN credentials: a key name and its key, or a SharedAccessSignature token as the password (the
    /// user name then does not matter). Returns who connected, or null to refuse the connection.
    /// </summary>
    ValueTask<AmqpIdentity?> AuthenticateAsync(string userName, string password, CancellationToken cancellationToken);

    /// <summary>Whether <paramref name="identity"/> may <paramref name="access"/> the entity at <paramref name="entityPath"/>; checked when a link attaches.</summary>
    ValueTask<bool> AuthorizeAsync(AmqpIdentity identity, string entityPath, AmqpAccess access, CancellationToken cancellationToken);
}
