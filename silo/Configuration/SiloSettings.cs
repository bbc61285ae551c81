namespace Loire.Silo.Configuration;

/// <summary>The table of every silo setting; help text, switch mappings and error messages all come from it.</summary>
public static class SiloSettings
{
    public const string EnvironmentPrefix = "LOIRE_";

    public static readonly SiloSetting DataDir = new(nameof(LoireSiloOptions.DataDir), "--data-dir", "PATH", "./data", "folder of the embedded message store");
    public static readonly SiloSetting SiloPort = new(nameof(LoireSiloOptions.SiloPort), "--silo-port", "PORT", "11111", "silo-to-silo port");
    public static readonly SiloSetting GatewayPort = new(nameof(LoireSiloOptions.GatewayPort), "--gateway-port", "PORT", "30000", "client gateway port");
    public static readonly SiloSetting HttpPort = new(nameof(LoireSiloOptions.HttpPort), "--http-port", "PORT", "5080", "HTTP port: /health, /metrics, /scaler, /dashboard");
    public static readonly SiloSetting HttpHost = new(nameof(LoireSiloOptions.HttpHost), "--http-host", "ADDRESS", "127.0.0.1", "HTTP listen address: an IP address or localhost");
    public static readonly SiloSetting AmqpPort = new(nameof(LoireSiloOptions.AmqpPort), "--amqp-port", "PORT", "none (off)", "AMQP 1.0 port for clients in other languages (see README: AMQP 1.0); listens on --listen-address");
    public static readonly SiloSetting Cluster = new(nameof(LoireSiloOptions.Cluster), "--cluster", "localhost|redis", "localhost", "clustering mode");
    public static readonly SiloSetting Redis = new(nameof(LoireSiloOptions.Redis), "--redis", "HOST:PORT", "none", "Redis connection string for --cluster redis");
    public static readonly SiloSetting ListenAddress = new(nameof(LoireSiloOptions.ListenAddress), "--listen-address", "IP", "127.0.0.1; 0.0.0.0 with --kubernetes true", "silo and gateway listen address: an IP address, 0.0.0.0 for every interface");
    public static readonly SiloSetting AdvertiseAddress = new(nameof(LoireSiloOptions.AdvertiseAddress), "--advertise-address", "IP|HOST", "the listen address; the pod IP with --kubernetes true", "address other silos and clients reach this silo at, --cluster redis only; a host name is resolved at start");
    public static readonly SiloSetting Kubernetes = new(nameof(LoireSiloOptions.Kubernetes), "--kubernetes", "true|false", "false", "Kubernetes hosting (needs --cluster redis): silo name and address from POD_NAME, POD_NAMESPACE, POD_IP; dead silos' pods are watched");
    public static readonly SiloSetting GrainStorage = new(nameof(LoireSiloOptions.GrainStorage), "--grain-storage", "embedded|redis|azure", "embedded, redis with --cluster redis", "where Orleans grain state (the auto-delete index) lives");
    public static readonly SiloSetting AzureStorage = new(nameof(LoireSiloOptions.AzureStorage), "--azure-storage", "CONNSTRING", "none", "Azure Storage connection string for --grain-storage azure");
    public static readonly SiloSetting ClusterId = new(nameof(LoireSiloOptions.ClusterId), "--cluster-id", "ID", "loire", "Orleans cluster id");
    public static readonly SiloSetting ServiceId = new(nameof(LoireSiloOptions.ServiceId), "--service-id", "ID", "loire", "Orleans service id");
    public static readonly SiloSetting Durability = new(nameof(LoireSiloOptions.Durability), "--durability", "full|normal", "full", "full: fsync every commit; normal: survive process crashes only");
    public static readonly SiloSetting MaxMessageSize = new(nameof(LoireSiloOptions.MaxMessageSize), "--max-message-size", "BYTES", "1048576", "largest message accepted");
    public static readonly SiloSetting EntityIdleTimeout = new(nameof(LoireSiloOptions.EntityIdleTimeout), "--entity-idle-timeout", "SECONDS", "120", "seconds without calls after which an entity grain deactivates, 10 to 86400");
    public static readonly SiloSetting DeliveryLinkLease = new(nameof(LoireSiloOptions.DeliveryLinkLease), "--delivery-link-lease", "SECONDS", "30", "seconds after which an entity closes a processor's push delivery link its client stopped renewing (clients renew every second), 5 to 600");

    public static readonly SiloSetting DepthInterval = new(nameof(LoireSiloOptions.DepthInterval), "--depth-interval", "SECONDS", "10", "seconds between two reads of every entity's depth for the depth gauges, 1 to 3600");
    public static readonly SiloSetting MetricsMaxEntities = new(nameof(LoireSiloOptions.MetricsMaxEntities), "--metrics-max-entities", "COUNT", "1000", "most entities this silo exports depth gauges for (the deepest of its share), 0 to 1000000");
    public static readonly SiloSetting OtlpEndpoint = new(nameof(LoireSiloOptions.OtlpEndpoint), "--otlp-endpoint", "URL", "none (no tracing)", "OpenTelemetry collector to export Loire's spans to, e.g. http://127.0.0.1:4317");
    public static readonly SiloSetting OtlpProtocol = new(nameof(LoireSiloOptions.OtlpProtocol), "--otlp-protocol", "grpc|http", "grpc", "OTLP transport of --otlp-endpoint: grpc, or http (http/protobuf, posted to /v1/traces unless the URL has a path)");
    public static readonly SiloSetting TraceOrleans = new(nameof(LoireSiloOptions.TraceOrleans), "--trace-orleans", "true|false", "false", "also export Orleans' grain-call spans (many); needs --otlp-endpoint");
    public static readonly SiloSetting AccessRules = new(nameof(LoireSiloOptions.AccessRules), "--access-rules", "PATH", "none (authorisation off)", "JSON file of shared access rules (key names, keys, rights); turns authorisation on, re-read on change");
    public static readonly SiloSetting TlsCert = new(nameof(LoireSiloOptions.TlsCert), "--tls-cert", "PEM", "none (plain TCP and HTTP)", "certificate for TLS on the gateway and between silos, and HTTPS on the HTTP port; needs --tls-key");
    public static readonly SiloSetting TlsKey = new(nameof(LoireSiloOptions.TlsKey), "--tls-key", "PEM", "none", "private key of --tls-cert");

    public static IReadOnlyList<SiloSetting> All { get; } =
        [DataDir, SiloPort, GatewayPort, HttpPort, HttpHost, AmqpPort, Cluster, Redis, ListenAddress, AdvertiseAddress, Kubernetes, GrainStorage, AzureStorage, ClusterId, ServiceId, Durability, MaxMessageSize, EntityIdleTimeout,
            DeliveryLinkLease, DepthInterval, MetricsMaxEntities, OtlpEndpoint, OtlpProtocol, TraceOrleans, AccessRules, TlsCert, TlsKey];

    /// <summary>Maps the dashed flags to configuration keys, for <c>AddCommandLine</c>.</summary>
    public static IDictionary<string, string> SwitchMappings { get; } =
        All.ToDictionary(s => s.Flag, s => s.Key, StringComparer.OrdinalIgnoreCase);
}
