using System.Globalization;
using Loire.Storage;
using Microsoft.Extensions.Configuration;

namespace Loire.Silo.Configuration;

/// <summary>
/// Reads <see cref="LoireSiloOptions"/> from configuration. Parses each value itself, rather than through
/// <c>ConfigurationBinder</c>, so that a bad value is reported with the flag and variable that name it.
/// </summary>
public static class LoireSiloOptionsBinder
{
    /// <summary>The options, or <see cref="SiloConfigurationException"/> listing every unreadable or invalid value.</summary>
    public static LoireSiloOptions Bind(IConfiguration configuration)
    {
        var errors = new List<string>();
        var options = new LoireSiloOptions();
        var reader = new Reader(configuration, errors);

        options.DataDir = reader.String(SiloSettings.DataDir) ?? options.DataDir;
        options.SiloPort = reader.Port(SiloSettings.SiloPort) ?? options.SiloPort;
        options.GatewayPort = reader.Port(SiloSettings.GatewayPort) ?? options.GatewayPort;
        options.HttpPort = reader.Port(SiloSettings.HttpPort) ?? options.HttpPort;
        options.HttpHost = reader.String(SiloSettings.HttpHost) ?? options.HttpHost;
        options.AmqpPort = reader.Port(SiloSettings.AmqpPort) ?? options.AmqpPort;
        options.Cluster = reader.Enum<ClusterMode>(SiloSettings.Cluster) ?? options.Cluster;
        options.Redis = reader.String(SiloSettings.Redis) ?? options.Redis;
        options.ListenAddress = reader.String(SiloSettings.ListenAddress) ?? options.ListenAddress;
        options.AdvertiseAddress = reader.String(SiloSettings.AdvertiseAddress) ?? options.AdvertiseAddress;
        options.Kubernetes = reader.Boolean(SiloSettings.Kubernetes) ?? options.Kubernetes;
        options.GrainStorage = reader.Enum<GrainStorageKind>(SiloSettings.GrainStorage) ?? options.GrainStorage;
        options.AzureStorage = reader.String(SiloSettings.AzureStorage) ?? options.AzureStorage;
        options.ClusterId = reader.String(SiloSettings.ClusterId) ?? options.ClusterId;
        options.ServiceId = reader.String(SiloSettings.ServiceId) ?? options.ServiceId;
        options.Durability = reader.Enum<SqliteDurability>(SiloSettings.Durability) ?? options.Durability;
        options.MaxMessageSize = reader.Int64(SiloSettings.MaxMessageSize) ?? options.MaxMessageSize;
        options.EntityIdleTimeout = reader.Int64(SiloSettings.EntityIdleTimeout) ?? options.EntityIdleTimeout;
        options.DeliveryLinkLease = reader.Int64(SiloSettings.DeliveryLinkLease) ?? options.DeliveryLinkLease;
        options.DepthInterval = reader.Int64(SiloSettings.DepthInterval) ?? options.DepthInterval;
        options.MetricsMaxEntities = reader.Int64(SiloSettings.MetricsMaxEntities) ?? options.MetricsMaxEntities;
        options.OtlpEndpoint = reader.String(SiloSettings.OtlpEndpoint) ?? options.OtlpEndpoint;
        options.OtlpProtocol = reader.Enum<OtlpProtocolKind>(SiloSettings.OtlpProtocol) ?? options.OtlpProtocol;
        options.TraceOrleans = reader.Boolean(SiloSettings.TraceOrleans) ?? options.TraceOrleans;
        options.AccessRules = reader.String(SiloSettings.AccessRules) ?? options.AccessRules;
        options.TlsCert = reader.String(SiloSettings.TlsCert) ?? options.TlsCert;
        options.TlsKey = reader.String(SiloSettings.TlsKey) ?? options.TlsKey;

        errors.AddRange(LoireSiloOptionsValidator.Validate(options));
        if (errors.Count > 0)
        {
            throw new SiloConfigurationException(errors);
        }

        return options;
    }

    private readonly struct Reader(IConfiguration configuration, List<string> errors)
    {
        public string? String(SiloSetting setting)
        {
            var value = configuration[setting.Key];
            if (value is not null && string.IsNullOrWhiteSpace(value))
            {
                errors.Add($"{setting.DisplayName} must not be empty");
                return null;
            }

            return value?.Trim();
        }

        public int? Port(SiloSetting setting)
        {
            var value = configuration[setting.Key];
            if (value is null)
            {
                return null;
            }

            if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535)
            {
                return port;
            }

            errors.Add($"invalid value '{value}' for {setting.DisplayName}: expected a port number from 1 to 65535");
            return null;
        }

        public long? Int64(SiloSetting setting)
        {
            var value = configuration[setting.Key];
            if (value is null)
            {
                return null;
            }

            if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                return number;
            }

            errors.Add($"invalid value '{value}' for {setting.DisplayName}: expected a whole number");
            return null;
        }

        public bool? Boolean(SiloSetting setting)
        {
            var value = configuration[setting.Key];
            if (value is null)
            {
                return null;
            }

            if (bool.TryParse(value, out var flag))
            {
                return flag;
            }

            errors.Add($"invalid value '{value}' for {setting.DisplayName}: expected true or false");
            return null;
        }

        public TEnum? Enum<TEnum>(SiloSetting setting)
            where TEnum : struct, Enum
        {
            var value = configuration[setting.Key];
            if (value is null)
            {
                return null;
            }

            // Names only: Enum.TryParse would also accept "7" and give an undefined member.
            foreach (var name in System.Enum.GetNames<TEnum>())
            {
                if (string.Equals(name, value.Trim(), StringComparison.OrdinalIgnoreCase))
                {
                    return System.Enum.Parse<TEnum>(name);
                }
            }

            var expected = string.Join(" or ", System.Enum.GetNames<TEnum>().Select(n => n.ToLowerInvariant()));
            errors.Add($"invalid value '{value}' for {setting.DisplayName}: expected {expected}");
            return null;
        }
    }
}
