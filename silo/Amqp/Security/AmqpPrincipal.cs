using System.Security.Principal;

namespace Loire.Silo.Amqp.Security;

/// <summary>Carries the <see cref="AmqpIdentity"/> of a connection to the links attached on it.</summary>
internal sealed class AmqpPrincipal(AmqpIdentity identity) : IPrincipal
{
    public AmqpIdentity AmqpIdentity => identity;

    public IIdentity Identity { get; } = new GenericIdentity(identity.Name, identity.Mechanism);

    public bool IsInRole(string role) => false;
}
