using System.Net;
using Loire.Grains.Hosting;
using StackExchange.Redis;

namespace Loire.Silo.Configuration;

/// <summary>Checks that parsed <see cref="LoireSiloOptions"/> values make sense together.</summary>
public static class LoireSiloOptionsValidator
{
    /// <summary>The broker's own bounds of the message size, checked here too so the error names the flag.</summary>
    public const long MinMessageSize = 1024;

    public const long MaxMessageSizeLimit = 100L * 1024 * 1024;

    /// <summary>Bounds of the entity idle timeout in seconds: the broker's minimum, and a day.</summary>
    public const long MinEntityIdleTimeout = 10;

    public const long MaxEntityIdleTimeout = 24 * 60 * 60;

    /// <summary>The broker's bounds of the delivery link lease in seconds, checked here too so the error names the flag.</summary>
    public static readonly long MinDeliveryLinkLease = (long)LoireBrokerOptions.MinDeliveryLinkLease.TotalSeconds;

    public static readonly long MaxDeliveryLinkLease = (long)LoireBrokerOptions.MaxDeliveryLinkLease.TotalSeconds;

    public static IEnumerable<string> Validate(LoireSiloOptions options)
    {
        var ports = new List<(SiloSetting, int)>
        {
            (SiloSettings.SiloPort, options.SiloPort),
            (SiloSettings.GatewayPort, options.GatewayPort),
            (SiloSettings.HttpPort, options.HttpPort),
        };
        if (options.AmqpPort is { } amqpPort)
        {
            ports.Add((SiloSettings.AmqpPort, amqpPort));
        }

        foreach (var clash in ports.GroupBy(p => p.Item2).Where(g => g.Count() > 1))
        {
            yield return $"{string.Join(" and ", clash.Select(p => p.Item1.Flag))} must use different ports (each is {clash.Key})";
        }

        if (!IsListenAddress(options.HttpHost))
        {
            yield return $"invalid value '{options.HttpHost}' for {SiloSettings.HttpHost.DisplayName}: expected an IP address or localhost";
        }

        if ((options.TlsCert is null) != (options.TlsKey is null))
        {
            yield return $"{SiloSettings.TlsCert.DisplayName} and {SiloSettings.TlsKey.DisplayName} go together";
        }

        foreach (var error in ValidateEndpoints(options))
        {
            yield return error;
        }

        if (options.MaxMessageSize is < MinMessageSize or > MaxMessageSizeLimit)
        {
            yield return $"invalid value '{options.MaxMessageSize}' for {SiloSettings.MaxMessageSize.DisplayName}: expected {MinMessageSize} to {MaxMessageSizeLimit} bytes";
        }

        if (options.EntityIdleTimeout is < MinEntityIdleTimeout or > MaxEntityIdleTimeout)
        {
            yield return $"invalid value '{options.EntityIdleTimeout}' for {SiloSettings.EntityIdleTimeout.DisplayName}: expected {MinEntityIdleTimeout} to {MaxEntityIdleTimeout} seconds";
        }

        if (options.DeliveryLinkLease < MinDeliveryLinkLease || options.DeliveryLinkLease > MaxDeliveryLinkLease)
        {
            yield return $"invalid value '{options.DeliveryLinkLease}' for {SiloSettings.DeliveryLinkLease.DisplayName}: expected {MinDeliveryLinkLease} to {MaxDeliveryLinkLease} seconds";
        }

        if (options.DepthInterval is < 1 or > 3600)
        {
            yield return $"invalid value '{options.DepthInterval}' for {SiloSettings.DepthInterval.DisplayName}: expected 1 to 3600 seconds";
        }

        if (options.MetricsMaxEntities is < 0 or > 1_000_000)
        {
            yield return $"invalid value '{options.MetricsMaxEntities}' for {SiloSettings.MetricsMaxEntities.DisplayName}: expected 0 to 1000000";
        }

        if (options.Cluster == ClusterMode.Redis && options.Redis is null)
        {
            yield return $"{SiloSettings.Redis.DisplayName} is required with {SiloSettings.Cluster.Flag} redis";
        }
        else if (options.Redis is not null && !IsRedisConfiguration(options.Redis))
        {
            yield return $"invalid value '{options.Redis}' for {SiloSettings.Redis.DisplayName}: expected a Redis connection string such as 127.0.0.1:6379";
        }

        foreach (var error in ValidateGrainStorage(options))
        {
            yield return error;
        }

        if (options.OtlpEndpoint is { } otlp && !IsHttpUrl(otlp))
        {
            yield return $"invalid value '{otlp}' for {SiloSettings.OtlpEndpoint.DisplayName}: expected an http or https URL such as http://127.0.0.1:4317";
        }
        else if (options.OtlpEndpoint is null && options.TraceOrleans)
        {
            yield return $"{SiloSettings.TraceOrleans.DisplayName} needs {SiloSettings.OtlpEndpoint.Flag}";
        }
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static IEnumerable<string> ValidateGrainStorage(LoireSiloOptions options)
    {
        var storage = options.EffectiveGrainStorage;
        if (storage == GrainStorageKind.Embedded && options.Cluster == ClusterMode.Redis)
        {
            // The catalog-backed grain storage checks ETags in the silo, which is only safe with one writer.
            yield return $"{SiloSettings.GrainStorage.DisplayName} embedded needs {SiloSettings.Cluster.Flag} localhost: a cluster keeps grain state in redis or azure";
        }

        if (storage == GrainStorageKind.Redis && options.Cluster != ClusterMode.Redis && options.Redis is null)
        {
            yield return $"{SiloSettings.Redis.DisplayName} is required with {SiloSettings.GrainStorage.Flag} redis";
        }

        if (options.AzureStorage is null)
        {
            if (storage == GrainStorageKind.Azure)
            {
                yield return $"{SiloSettings.AzureStorage.DisplayName} is required with {SiloSettings.GrainStorage.Flag} azure";
            }
        }
        else if (AzureStorageAccount.FindProblem(options.AzureStorage) is { } problem)
        {
            // The value is not repeated: a connection string carries the account key.
            yield return $"invalid value for {SiloSettings.AzureStorage.DisplayName}: {problem}; expected an Azure Storage connection string "
                + "such as DefaultEndpointsProtocol=https;AccountName=NAME;AccountKey=KEY;EndpointSuffix=core.windows.net, or UseDevelopmentStorage=true";
        }
    }

    /// <summary>
    /// Listen and advertise addresses. Other silos and clients dial the advertised address, so it must name one
    /// machine: "every interface" cannot be advertised, and a single silo (localhost clustering) always advertises
    /// loopback because its membership lives in the process.
    /// </summary>
    private static IEnumerable<string> ValidateEndpoints(LoireSiloOptions options)
    {
        IPAddress? listen = null;
        if (options.ListenAddress is not null && !IPAddress.TryParse(options.ListenAddress, out listen))
        {
            yield return $"invalid value '{options.ListenAddress}' for {SiloSettings.ListenAddress.DisplayName}: expected an IP address such as 127.0.0.1 or 0.0.0.0";
        }

        var clustered = options.Cluster == ClusterMode.Redis;
        if (options.Kubernetes && !clustered)
        {
            yield return $"{SiloSettings.Kubernetes.DisplayName} needs {SiloSettings.Cluster.Flag} redis";
        }

        if (options.AdvertiseAddress is { } advertise)
        {
            if (!clustered)
            {
                yield return $"{SiloSettings.AdvertiseAddress.DisplayName} needs {SiloSettings.Cluster.Flag} redis (a single silo advertises 127.0.0.1)";
            }
            else if (IPAddress.TryParse(advertise, out var advertised) && IsAnyAddress(advertised))
            {
                yield return $"invalid value '{advertise}' for {SiloSettings.AdvertiseAddress.DisplayName}: other silos cannot reach 'every interface'; give this machine's IP address or host name";
            }
            else if (Uri.CheckHostName(advertise) is UriHostNameType.Unknown)
            {
                yield return $"invalid value '{advertise}' for {SiloSettings.AdvertiseAddress.DisplayName}: expected an IP address or a host name";
            }
        }
        else if (clustered && !options.Kubernetes && listen is not null && IsAnyAddress(listen))
        {
            yield return $"{SiloSettings.AdvertiseAddress.DisplayName} is required with {SiloSettings.ListenAddress.Flag} {options.ListenAddress} in {SiloSettings.Cluster.Flag} redis";
        }
    }

    internal static bool IsAnyAddress(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    private static bool IsRedisConfiguration(string configuration)
    {
        try
        {
            return ConfigurationOptions.Parse(configuration).EndPoints.Count > 0;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static bool IsListenAddress(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || IPAddress.TryParse(host, out _);
}
