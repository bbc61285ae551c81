namespace Loire.Silo.Amqp.Security;

/// <summary>Who an AMQP connection authenticated as.</summary>
/// <param name="Name">The key name (or token subject) for PLAIN, <c>anonymous</c> otherwise.</param>
/// <param name="Mechanism">The SASL mechanism, or <c>NONE</c> for a connection that skipped SASL.</param>
public sealed record AmqpIdentity(string Name, string Mechanism)
{
    public static AmqpIdentity Anonymous(string mechanism) => new("anonymous", mechanism);
}
