using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Loire.Client.Security;

/// <summary>TLS to the gateways, for silos started with <c>--tls-cert</c>. Off by default.</summary>
public sealed class LoireTlsOptions
{
    /// <summary>Connect to the gateways over TLS; a silo with TLS on refuses plain connections.</summary>
    public bool Enabled { get; set; }

    /// <summary>The name the server certificate must carry; default the first gateway's host.</summary>
    public string? TargetHost { get; set; }

    /// <summary>
    /// A certificate to accept as the server's even though no trusted authority issued it (a self-signed cluster
    /// certificate): matched exactly, by its bytes. Anything else must pass the system's chain and name validation.
    /// </summary>
    public X509Certificate2? TrustedServerCertificate { get; set; }

    /// <summary>Replaces the validation of the server certificate altogether: true accepts it.</summary>
    public Func<X509Certificate2, X509Chain?, SslPolicyErrors, bool>? ServerCertificateValidation { get; set; }

    /// <summary>Whether <paramref name="certificate"/> is acceptable as the server's, under these options.</summary>
    internal bool Accepts(X509Certificate2 certificate, X509Chain? chain, SslPolicyErrors errors) =>
        ServerCertificateValidation is { } validate
            ? validate(certificate, chain, errors)
            : errors == SslPolicyErrors.None || (TrustedServerCertificate is { } trusted && trusted.RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span));
}
