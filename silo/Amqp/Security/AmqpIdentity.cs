namespace Loire.Silo.Amqp.Security;

/// <summary>Who an AMQP connection authenticated as.</summary>
/// <param name="Name">The key name (or token subject) for PLAIN, <c>anonymous</c> otherwise.</param>
/// <param name="Mechanism">The SASL mechanism, or <c>NONE</c> for a connection that skipped SASL.</param>
public sealed record AmqpIdentity(string Name, string Mechanism)
{
    public static AmqpIdentity Anonymous(string mechanism) => new("anonymous", mechanism);

    /// <summary>The SharedAccessSignature token given as the PLAIN password (internal: never printed).</summary>
    internal string? Token { get; init; }

    /// <summary>The rule key given as the PLAIN password (internal: never printed).</summary>
    internal string? Key { get; init; }
}
