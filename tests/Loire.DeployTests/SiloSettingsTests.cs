using System.Net;
using Loire.Silo.Configuration;
using Loire.Silo.Hosting;
using Microsoft.Extensions.Configuration;

namespace Loire.DeployTests;

/// <summary>The container settings as the silo reads them (the process-level checks are in Loire.ProcessTests).</summary>
public sealed class SiloSettingsTests
{
    [Fact]
    public void DefaultsListenAndAdvertiseOnLoopback()
    {
        var options = Bind();
        Assert.Null(options.ListenAddress);
        Assert.False(options.Kubernetes);
        Assert.Equal(new SiloEndpoints(IPAddress.Loopback, IPAddress.Loopback), SiloEndpoints.Resolve(options));

        var cluster = Bind(("Cluster", "redis"), ("Redis", "127.0.0.1:6379"));
        Assert.Equal(new SiloEndpoints(IPAddress.Loopback, IPAddress.Loopback), SiloEndpoints.Resolve(cluster));
    }

    [Fact]
    public void ContainerSettingsAreReadFromFlagsAndEnvironmentKeys()
    {
        var options = Bind(("Cluster", "redis"), ("Redis", "redis:6379"), ("ListenAddress", "0.0.0.0"), ("AdvertiseAddress", "localhost"));
        Assert.Equal("0.0.0.0", options.ListenAddress);
        Assert.Equal("localhost", options.AdvertiseAddress);

        // A host name is resolved once, at start.
        Assert.Equal(new SiloEndpoints(IPAddress.Any, IPAddress.Loopback), SiloEndpoints.Resolve(options));
    }

    [Fact]
    public void KubernetesLeavesListenAndAdvertiseToThePod()
    {
        var options = Bind(("Cluster", "redis"), ("Redis", "redis:6379"), ("Kubernetes", "TRUE"));
        Assert.True(options.Kubernetes);
        Assert.Equal(new SiloEndpoints(null, null), SiloEndpoints.Resolve(options));
    }

    [Fact]
    public void SingleSiloMayListenEverywhereButAdvertisesLoopback()
    {
        var options = Bind(("ListenAddress", "0.0.0.0"));
        Assert.Equal(new SiloEndpoints(IPAddress.Any, IPAddress.Loopback), SiloEndpoints.Resolve(options));
    }

    [Theory]
    [InlineData("ListenAddress", "0.0.0.0.0", "--listen-address (LOIRE_ListenAddress)")]
    [InlineData("Kubernetes", "1", "invalid value '1' for --kubernetes (LOIRE_Kubernetes): expected true or false")]
    [InlineData("AdvertiseAddress", "not a host!", "invalid value 'not a host!' for --advertise-address (LOIRE_AdvertiseAddress)")]
    [InlineData("AdvertiseAddress", "::", "invalid value '::' for --advertise-address (LOIRE_AdvertiseAddress)")]
    public void BadClusterValueNamesTheFlag(string key, string value, string expected)
    {
        var error = Assert.Throws<SiloConfigurationException>(() => Bind(("Cluster", "redis"), ("Redis", "127.0.0.1:6379"), (key, value)));
        Assert.Contains(error.Errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void AmqpPortIsOffUnlessSetAndMustNotClash()
    {
        Assert.Null(Bind().AmqpPort);
        Assert.Equal(5672, Bind(("AmqpPort", "5672")).AmqpPort);

        var clash = Assert.Throws<SiloConfigurationException>(() => Bind(("AmqpPort", "30000")));
        Assert.Contains(clash.Errors, e => e.Contains("--gateway-port and --amqp-port must use different ports", StringComparison.Ordinal));
        var bad = Assert.Throws<SiloConfigurationException>(() => Bind(("AmqpPort", "0")));
        Assert.Contains(bad.Errors, e => e.Contains("invalid value '0' for --amqp-port (LOIRE_AmqpPort)", StringComparison.Ordinal));
    }

    [Fact]
    public void DeliveryLinkLeaseIsReadInSecondsAndBounded()
    {
        Assert.Equal(30, Bind().DeliveryLinkLease);
        Assert.Equal(5, Bind(("DeliveryLinkLease", "5")).DeliveryLinkLease);
        Assert.Equal(600, Bind(("DeliveryLinkLease", "600")).DeliveryLinkLease);
        foreach (var value in new[] { "0", "4", "601" })
        {
            var error = Assert.Throws<SiloConfigurationException>(() => Bind(("DeliveryLinkLease", value)));
            Assert.Contains($"invalid value '{value}' for --delivery-link-lease (LOIRE_DeliveryLinkLease): expected 5 to 600 seconds", error.Errors);
        }

        Assert.Contains("--delivery-link-lease SECONDS", CommandLine.HelpText());
    }

    [Fact]
    public void HelpListsTheContainerSettingsAndTheProbe()
    {
        var help = CommandLine.HelpText();
        Assert.Contains("--listen-address IP", help);
        Assert.Contains("LOIRE_AdvertiseAddress", help);
        Assert.Contains("--kubernetes true|false", help);
        Assert.Contains($"{HealthProbe.Flag} http://127.0.0.1:5080/health/live", help);
    }

    private static LoireSiloOptions Bind(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        return LoireSiloOptionsBinder.Bind(configuration);
    }
}
