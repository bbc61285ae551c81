using Loire.Storage;

namespace Loire.Silo.Configuration;

/// <summary>Settings of one silo process, read from appsettings.json, <c>LOIRE_</c> environment variables and flags.</summary>
public sealed class LoireSiloOptions
{
    public string DataDir { get; set; } = "./data";

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    public int HttpPort { get; set; } = 5080;

    public string HttpHost { get; set; } = "127.0.0.1";

    /// <summary>Port of the AMQP 1.0 front door; null leaves it off.</summary>
    public int? AmqpPort { get; set; }

    public ClusterMode Cluster { get; set; } = ClusterMode.Localhost;

    public string? Redis { get; set; }

    /// <summary>Where the silo and gateway listen; null means loopback, or every interface under Kubernetes.</summary>
    public string? ListenAddress { get; set; }

    /// <summary>The IP address or host name other silos and clients reach this silo at (cluster mode); null means the listen address.</summary>
    public string? AdvertiseAddress { get; set; }

    /// <summary>Kubernetes hosting: silo name, advertised address and pod monitoring come from the pod.</summary>
    public bool Kubernetes { get; set; }
    /// <summary>Where Orleans grain state lives; unset means <see cref="EffectiveGrainStorage"/>'s default for the cluster mode.</summary>
    public GrainStorageKind? GrainStorage { get; set; }

    /// <summary>Azure Storage connection string for <see cref="GrainStorageKind.Azure"/>; it carries the account key.</summary>
    public string? AzureStorage { get; set; }

    public string ClusterId { get; set; } = "loire";

    public string ServiceId { get; set; } = "loire";

    public SqliteDurability Durability { get; set; } = SqliteDurability.Full;

    public long MaxMessageSize { get; set; } = 1024 * 1024;

    /// <summary>Seconds an entity grain stays active without calls before it deactivates and frees its memory.</summary>
    public long EntityIdleTimeout { get; set; } = 120;

    /// <summary>Seconds after which an entity closes a push delivery link whose client stopped renewing it.</summary>
    public long DeliveryLinkLease { get; set; } = 30;

    /// <summary>Seconds between two reads of every entity's depth from the catalog (depth gauges, waking due entities).</summary>
    public long DepthInterval { get; set; } = 10;

    /// <summary>Most entities this silo exports per-entity depth gauges for (the deepest of its share).</summary>
    public long MetricsMaxEntities { get; set; } = 1000;

    /// <summary>OpenTelemetry collector traces are exported to (OTLP); null exports none, and no span is even recorded.</summary>
    public string? OtlpEndpoint { get; set; }

    public OtlpProtocolKind OtlpProtocol { get; set; } = OtlpProtocolKind.Grpc;

    /// <summary>Exports Orleans' grain-call spans beside Loire's: every call between grains, so many more spans.</summary>
    public bool TraceOrleans { get; set; }

    /// <summary>
    /// JSON file of the namespace's shared access rules; set, it turns authorisation on for every client call and HTTP
    /// request (but /health and /metrics). Re-read when it changes, so keys rotate without a restart.
    /// </summary>
    public string? AccessRules { get; set; }

    /// <summary>PEM certificate for TLS on the gateway, between silos and on the HTTP port (HTTPS); needs <see cref="TlsKey"/>.</summary>
    public string? TlsCert { get; set; }

    /// <summary>PEM private key of <see cref="TlsCert"/>.</summary>
    public string? TlsKey { get; set; }

    /// <summary>
    /// <see cref="GrainStorage"/>, or the storage the cluster mode already has: the embedded store on one silo, the
    /// cluster's Redis in cluster mode.
    /// </summary>
    public GrainStorageKind EffectiveGrainStorage =>
        GrainStorage ?? (Cluster == ClusterMode.Redis ? GrainStorageKind.Redis : GrainStorageKind.Embedded);

    /// <summary><see cref="DataDir"/> resolved against the working directory.</summary>
    public string DataDirFullPath => Path.GetFullPath(DataDir);
}
