using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Loire.Silo.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Orleans.Configuration;
using Orleans.Connections.Security;

namespace Loire.Silo.Security;

/// <summary>
/// TLS from one PEM certificate (<c>--tls-cert</c>, <c>--tls-key</c>): on the gateway (clients need no certificate),
/// between silos (mutual: each silo presents the certificate and accepts a peer whose certificate is trusted by the
/// system or is this very certificate, the usual one-certificate-per-cluster setup), and HTTPS on the HTTP port.
/// </summary>
public static class SiloTls
{
    /// <summary>The certificate, with its key usable by TLS; <see cref="SiloConfigurationException"/> when unreadable.</summary>
    public static X509Certificate2? Load(LoireSiloOptions options)
    {
        if (options.TlsCert is not { } certPath || options.TlsKey is not { } keyPath)
        {
            return null;
        }

        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(certPath, keyPath);
            // A PEM key is ephemeral; TLS servers need it in a form the platform keeps, which a PKCS#12 round trip gives.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), password: null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new SiloConfigurationException([$"{SiloSettings.TlsCert.DisplayName} '{certPath}' with {SiloSettings.TlsKey.DisplayName} '{keyPath}' cannot be used: {e.Message}"]);
        }
    }

    /// <summary>TLS on the gateway and between silos.</summary>
    public static void Add(ISiloBuilder silo, X509Certificate2 certificate)
    {
        var peerName = certificate.GetNameInfo(X509NameType.DnsName, forIssuer: false);
        bool IsTrustedPeer(X509Certificate2 peer, SslPolicyErrors errors) =>
            errors == SslPolicyErrors.None || peer.RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span);

        var betweenSilos = new TlsOptions
        {
            LocalCertificate = certificate,
            RemoteCertificateMode = RemoteCertificateMode.RequireCertificate,
            ClientCertificateMode = RemoteCertificateMode.RequireCertificate,
            RemoteCertificateValidation = (peer, _, errors) => IsTrustedPeer(peer, errors),
            OnAuthenticateAsClient = (_, authentication) => authentication.TargetHost = peerName,
        };
        var gateway = new TlsOptions { LocalCertificate = certificate, RemoteCertificateMode = RemoteCertificateMode.NoCertificate };
        silo.Configure<SiloConnectionOptions>(connections =>
        {
            connections.ConfigureSiloInboundConnection(connection => connection.UseServerTls(betweenSilos));
            connections.ConfigureSiloOutboundConnection(connection => connection.UseClientTls(betweenSilos));
            connections.ConfigureGatewayInboundConnection(connection => connection.UseServerTls(gateway));
        });
    }

    /// <summary>HTTPS instead of HTTP on the HTTP port.</summary>
    public static void UseHttps(ListenOptions listen, X509Certificate2? certificate)
    {
        if (certificate is not null)
        {
            listen.UseHttps(certificate);
        }
    }
}
