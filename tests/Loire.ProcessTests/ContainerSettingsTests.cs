using System.Globalization;
using Loire.Client;
using Loire.ProcessTests.Infrastructure;
using Xunit.Abstractions;

namespace Loire.ProcessTests;

/// <summary>
/// The settings and the probe mode that containers rely on (deploy/): where silo and gateway listen, what they
/// advertise, and <c>--probe</c>, the image's HEALTHCHECK.
/// </summary>
[Collection(SiloProcessCollection.Name)]
public sealed class ContainerSettingsTests(ITestOutputHelper log)
{
    private static readonly TimeSpan s_testTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan s_exitTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ProbeExitsZeroForLiveSiloAndOneOtherwise()
    {
        using var timeout = new CancellationTokenSource(s_testTimeout);
        var silo = await SiloProcess.StartAsync(log, timeout.Token);
        var live = new Uri(silo.HttpAddress, "health/live").ToString();
        await using (silo)
        {
            var healthy = await SiloProcess.RunToExitAsync(["--probe", live], s_exitTimeout);
            Assert.True(healthy.ExitCode == 0, $"--probe {live} of a running silo: exit {healthy.ExitCode}{Environment.NewLine}{healthy.Output}");
            Assert.Contains("200", healthy.Output);

            var missing = await SiloProcess.RunToExitAsync(["--probe", new Uri(silo.HttpAddress, "no-such-path").ToString()], s_exitTimeout);
            Assert.True(missing.ExitCode == 1, $"--probe of a 404 path: exit {missing.ExitCode}{Environment.NewLine}{missing.Output}");

            // The probe is the silo's HEALTHCHECK: it must never start a second silo on the same ports.
            Assert.DoesNotContain(SiloProcess.ReadyPrefix, healthy.Output);
        }

        var stopped = await SiloProcess.RunToExitAsync(["--probe", live], s_exitTimeout);
        Assert.True(stopped.ExitCode == 1, $"--probe after the silo stopped: exit {stopped.ExitCode}{Environment.NewLine}{stopped.Output}");
        Assert.Contains("unreachable", stopped.Output);
    }

    [Theory]
    [InlineData("--probe", "not a url", "--probe http://HOST:PORT/PATH")]
    [InlineData("--listen-address", "everywhere", "invalid value 'everywhere' for --listen-address (LOIRE_ListenAddress)")]
    [InlineData("--kubernetes", "yes", "invalid value 'yes' for --kubernetes (LOIRE_Kubernetes): expected true or false")]
    [InlineData("--kubernetes", "true", "--kubernetes (LOIRE_Kubernetes) needs --cluster redis")]
    [InlineData("--advertise-address", "10.1.2.3", "--advertise-address (LOIRE_AdvertiseAddress) needs --cluster redis")]
    public async Task BadContainerSettingExitsWithCodeTwoNamingTheFlag(string flag, string value, string expected)
    {
        var exit = await SiloProcess.RunToExitAsync([flag, value], s_exitTimeout);
        Assert.True(exit.ExitCode == 2, $"Exit code {exit.ExitCode} for {flag} {value}:{Environment.NewLine}{exit.Output}");
        Assert.Contains(expected, exit.Output);
    }

    [Theory]
    [InlineData("--listen-address", "0.0.0.0", "--advertise-address (LOIRE_AdvertiseAddress) is required with --listen-address 0.0.0.0")]
    [InlineData("--advertise-address", "0.0.0.0", "invalid value '0.0.0.0' for --advertise-address (LOIRE_AdvertiseAddress)")]
    [InlineData("--advertise-address", "no-such-host.invalid", "cannot resolve --advertise-address (LOIRE_AdvertiseAddress) 'no-such-host.invalid'")]
    public async Task BadClusterAddressExitsWithCodeTwoNamingTheFlag(string flag, string value, string expected)
    {
        // Settings are checked before the silo connects anywhere, so no Redis needs to answer at this address.
        var exit = await SiloProcess.RunToExitAsync(["--cluster", "redis", "--redis", "127.0.0.1:1", flag, value], s_exitTimeout);
        Assert.True(exit.ExitCode == 2, $"Exit code {exit.ExitCode} for {flag} {value}:{Environment.NewLine}{exit.Output}");
        Assert.Contains(expected, exit.Output);
    }

    [Fact]
    public async Task ClusterSiloListensOnEveryInterfaceAndAdvertisesResolvedHostName()
    {
        using var timeout = new CancellationTokenSource(s_testTimeout);
        var ct = timeout.Token;
        await using var redis = await RedisServer.StartAsync(log, ct);
        await using var silo = await SiloProcess.StartAsync(
            log, ["--cluster", "redis", "--redis", redis.Configuration, "--listen-address", "0.0.0.0", "--advertise-address", "localhost"], ct);

        Assert.Equal("0.0.0.0", ListeningAddress(silo.SiloPort));
        Assert.Equal("0.0.0.0", ListeningAddress(silo.GatewayPort));

        // "localhost" was resolved once at start; the ready line shows the advertised gateway.
        Assert.Contains($"gateway=127.0.0.1:{silo.GatewayPort}", silo.Output);
        await using var client = new LoireClient(silo.Gateway);
        Assert.False(await client.CreateAdministrationClient().QueueExistsAsync("listen-any", ct));
    }

    [Fact]
    public async Task ClusterSiloListensOnLoopbackByDefault()
    {
        using var timeout = new CancellationTokenSource(s_testTimeout);
        var ct = timeout.Token;
        await using var redis = await RedisServer.StartAsync(log, ct);
        await using var silo = await SiloProcess.StartAsync(log, ["--cluster", "redis", "--redis", redis.Configuration], ct);

        Assert.Equal("127.0.0.1", ListeningAddress(silo.SiloPort));
        Assert.Equal("127.0.0.1", ListeningAddress(silo.GatewayPort));
        Assert.Contains($"gateway=127.0.0.1:{silo.GatewayPort}", silo.Output);
    }

    /// <summary>The IPv4 address a TCP socket listens on at <paramref name="port"/>, from /proc/net/tcp (Linux).</summary>
    private static string? ListeningAddress(int port)
    {
        const string listenState = "0A";
        foreach (var line in File.ReadLines("/proc/net/tcp").Skip(1))
        {
            // "  0: 0100007F:2B67 00000000:0000 0A ...": local address and port in hex, the address little-endian.
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var local = fields[1].Split(':');
            if (fields[3] != listenState || int.Parse(local[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) != port)
            {
                continue;
            }

            // The kernel prints the address's four bytes as one host-order number, so its host-order bytes are the address.
            var bytes = BitConverter.GetBytes(uint.Parse(local[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            return new System.Net.IPAddress(bytes).ToString();
        }

        return null;
    }
}
