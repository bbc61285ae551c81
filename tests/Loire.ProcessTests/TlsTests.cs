using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Loire.Client;
using Loire.Client.Administration;
using Loire.ProcessTests.Infrastructure;
using Xunit.Abstractions;

namespace Loire.ProcessTests;

/// <summary>Silos started with <c>--tls-cert</c>/<c>--tls-key</c> (a self-signed certificate made here): TLS clients work, plain ones are refused.</summary>
[Collection(SiloProcessCollection.Name)]
public sealed class TlsTests(ITestOutputHelper log) : IDisposable
{
    private static readonly TimeSpan s_testTimeout = TimeSpan.FromMinutes(2);

    private readonly string _folder = Directory.CreateTempSubdirectory("loire-tls-").FullName;
    private readonly X509Certificate2 _certificate = CreateCertificate();

    [Fact]
    public async Task TheGatewayAndTheHttpPortSpeakTlsOnly()
    {
        using var timeout = new CancellationTokenSource(s_testTimeout);
        var ct = timeout.Token;
        await using var silo = await SiloProcess.StartAsync(log, TlsArgs(), ct);

        await using (var client = TlsClient(silo.Gateway))
        {
            await client.CreateAdministrationClient().CreateQueueAsync("secured", ct);
            await client.CreateSender("secured").SendMessageAsync(new LoireMessage("over tls") { MessageId = "tls-1" }, ct);
            Assert.Equal("tls-1", (await client.CreateReceiver("secured").ReceiveMessageAsync(TimeSpan.FromSeconds(5), ct))?.MessageId);
        }

        await using (var plain = new LoireClient(new LoireClientOptions { Gateways = { silo.Gateway }, OperationTimeout = TimeSpan.FromSeconds(3), Retry = { MaxRetries = 0 } }))
        {
            var refused = await Assert.ThrowsAsync<LoireException>(() => plain.CreateSender("secured").SendMessageAsync(new LoireMessage("plain"), ct));
            Assert.Equal(LoireErrorReason.ServiceCommunicationProblem, refused.Reason);
        }

        using var https = new HttpClient(new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, errors) =>
                errors == SslPolicyErrors.None || certificate?.RawDataMemory.Span.SequenceEqual(_certificate.RawDataMemory.Span) == true,
        });
        var ready = await https.GetAsync($"https://127.0.0.1:{silo.HttpPort}/health/live", ct);
        Assert.True(ready.IsSuccessStatusCode);
        using var plainHttp = new HttpClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => plainHttp.GetAsync($"http://127.0.0.1:{silo.HttpPort}/health/live", ct));
    }

    [Fact]
    public async Task TwoSilosOnRedisFormAClusterOverTlsAndAMessageCrossesIt()
    {
        using var timeout = new CancellationTokenSource(s_testTimeout);
        var ct = timeout.Token;
        await using var redis = await RedisServer.StartAsync(log, ct);
        string[] cluster = ["--cluster", "redis", "--redis", redis.Configuration, "--cluster-id", "tls-" + Guid.NewGuid().ToString("N")[..8]];
        await using var first = await SiloProcess.StartAsync(log, [.. cluster, .. TlsArgs()], ct);
        await using var second = await SiloProcess.StartAsync(log, [.. cluster, .. TlsArgs()], ct);

        // Sent through one silo's gateway and received through the other's: wherever the queue lives, one of the two
        // calls goes between the silos, over their TLS connection.
        await using var viaFirst = TlsClient(first.Gateway, cluster[^1]);
        await using var viaSecond = TlsClient(second.Gateway, cluster[^1]);
        await viaFirst.CreateAdministrationClient().CreateQueueAsync("crossing", ct);
        await viaFirst.CreateSender("crossing").SendMessageAsync(new LoireMessage("across") { MessageId = "x-1" }, ct);
        var received = await viaSecond.CreateReceiver("crossing").ReceiveMessageAsync(TimeSpan.FromSeconds(10), ct);

        Assert.Equal("x-1", received?.MessageId);
        Assert.DoesNotContain("authentication failed", first.Output + second.Output, StringComparison.OrdinalIgnoreCase);
    }

    public void Dispose()
    {
        _certificate.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private LoireClient TlsClient(string gateway, string clusterId = LoireClientOptions.DefaultClusterId) => new(new LoireClientOptions
    {
        Gateways = { gateway },
        ClusterId = clusterId,
        Tls = { Enabled = true, TargetHost = "localhost", TrustedServerCertificate = _certificate },
    });

    private string[] TlsArgs()
    {
        var cert = Path.Combine(_folder, "silo.crt");
        var key = Path.Combine(_folder, "silo.key");
        if (!File.Exists(cert))
        {
            File.WriteAllText(cert, _certificate.ExportCertificatePem());
            File.WriteAllText(key, _certificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
        }

        return ["--tls-cert", cert, "--tls-key", key];
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false)); // server and client authentication
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }
}
