using System.Net;
using System.Net.Sockets;
using Loire.Silo.Configuration;
using Orleans.Configuration;

namespace Loire.Silo.Hosting;

/// <summary>
/// Where the silo and gateway listen, and the address they advertise in the membership table, resolved once at
/// start. Null leaves the choice to Kubernetes hosting, which listens on every interface and advertises the pod IP.
/// </summary>
public sealed record SiloEndpoints(IPAddress? Listen, IPAddress? Advertised)
{
    public static SiloEndpoints Resolve(LoireSiloOptions options)
    {
        var listen = options.ListenAddress is { } text ? IPAddress.Parse(text) : options.Kubernetes ? null : IPAddress.Loopback;
        if (options.Cluster != ClusterMode.Redis)
        {
            return new SiloEndpoints(listen, IPAddress.Loopback);
        }

        var advertised = options.AdvertiseAddress is { } host ? ResolveHost(host)
            : options.Kubernetes ? null
            : listen;
        return new SiloEndpoints(listen, advertised);
    }

    /// <summary>Sets the ports and the addresses this record decided; leaves the rest to other configurators.</summary>
    public void ApplyTo(EndpointOptions endpoints, int siloPort, int gatewayPort)
    {
        endpoints.SiloPort = siloPort;
        endpoints.GatewayPort = gatewayPort;
        if (Advertised is not null)
        {
            endpoints.AdvertisedIPAddress = Advertised;
        }

        if (Listen is not null)
        {
            endpoints.SiloListeningEndpoint = new IPEndPoint(Listen, siloPort);
            endpoints.GatewayListeningEndpoint = new IPEndPoint(Listen, gatewayPort);
        }
    }

    /// <summary>
    /// A container's host name (compose service, StatefulSet pod) names its current address; resolving it at start
    /// and advertising the IP keeps peers from depending on DNS for every reconnect.
    /// </summary>
    private static IPAddress ResolveHost(string host)
    {
        if (IPAddress.TryParse(host, out var address))
        {
            return address;
        }

        IPAddress[] addresses;
        try
        {
            addresses = Dns.GetHostAddresses(host);
        }
        catch (SocketException e)
        {
            throw new SiloConfigurationException([$"cannot resolve {SiloSettings.AdvertiseAddress.DisplayName} '{host}': {e.Message}"]);
        }

        var usable = addresses.Where(a => !LoireSiloOptionsValidator.IsAnyAddress(a)).ToList();
        return usable.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? usable.FirstOrDefault()
            ?? throw new SiloConfigurationException([$"cannot resolve {SiloSettings.AdvertiseAddress.DisplayName} '{host}': no address"]);
    }
}
