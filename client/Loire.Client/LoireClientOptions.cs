using Loire.Client.Internal;
using Loire.Client.Security;

namespace Loire.Client;

/// <summary>How a <see cref="LoireClient"/> reaches a Loire cluster.</summary>
public sealed class LoireClientOptions
{
    /// <summary>Default <see cref="ClusterId"/> and <see cref="ServiceId"/>.</summary>
    public const string DefaultClusterId = "loire";

    /// <summary>
    /// Gateways of the cluster, each <c>host:port</c> (<c>127.0.0.1:30000</c>, <c>silo-1:30000</c>, <c>[::1]:30000</c>).
    /// The client spreads over all of them and fails over when one dies. Required unless the client is co-hosted.
    /// </summary>
    public IList<string> Gateways { get; } = new List<string>();

    /// <summary>The cluster's id; must match the silos'. Default <c>loire</c>.</summary>
    public string ClusterId { get; set; } = DefaultClusterId;

    /// <summary>The service's id; must match the silos'. Default <c>loire</c>.</summary>
    public string ServiceId { get; set; } = DefaultClusterId;

    /// <summary>
    /// Longest time one call to the broker may take before it fails with <see cref="LoireErrorReason.ServiceTimeout"/>
    /// (the Orleans response timeout). Default 30 s. Long receive waits are split into calls well below it.
    /// </summary>
    /// <remarks>
    /// A call in flight to a gateway that crashes waits this long, so a lower value fails over faster.
    /// Co-hosted clients use the host's own response timeout and this value only to size receive waits.
    /// </remarks>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How transient failures are retried.</summary>
    public LoireRetryOptions Retry { get; set; } = new();

    /// <summary>
    /// Whether concurrent sends to the same queue or topic may share one broker call. Default true: a send goes out
    /// at once while few calls to its entity are in flight, and otherwise joins the sends waiting for the next call,
    /// which raises throughput under load and adds no delay. Each send still succeeds or fails on its own; turn this
    /// off only to make every send exactly one broker call.
    /// </summary>
    public bool CoalesceSends { get; set; } = true;

    /// <summary>
    /// Supplies the shared access signature sent with every call, for clusters with authorisation on; null sends none.
    /// A connection string with a key or signature sets it (see <see cref="FromConnectionString"/>).
    /// </summary>
    public LoireTokenProvider? TokenProvider { get; set; }

    /// <summary>
    /// Options from a connection string: <c>Endpoint=loire://host:port[,host:port];SharedAccessKeyName=...;SharedAccessKey=...</c>
    /// (or <c>SharedAccessSignature=...</c>); see <see cref="LoireConnectionString"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The connection string is malformed.</exception>
    public static LoireClientOptions FromConnectionString(string connectionString) =>
        LoireConnectionString.Parse(connectionString).ToClientOptions();

    /// <summary>TLS to the gateways (connection string: <c>UseTls=true</c>, optionally <c>TlsServerName=NAME</c>).</summary>
    public LoireTlsOptions Tls { get; set; } = new();

    internal LoireClientOptions Clone()
    {
        var clone = new LoireClientOptions
        {
            ClusterId = ClusterId,
            ServiceId = ServiceId,
            OperationTimeout = OperationTimeout,
            CoalesceSends = CoalesceSends,
            TokenProvider = TokenProvider,
            Tls = Tls ?? throw new ArgumentException("Tls must not be null.", nameof(Tls)),
            Retry = (Retry ?? throw new ArgumentException("Retry must not be null.", nameof(Retry))).Clone(),
        };
        foreach (var gateway in Gateways)
        {
            clone.Gateways.Add(gateway);
        }

        return clone;
    }

    /// <summary>The gateways, parsed and de-duplicated; entries may also hold several <c>;</c>-separated addresses.</summary>
    /// <exception cref="ArgumentException">None is given, or one is malformed.</exception>
    internal IReadOnlyList<GatewayAddress> ParseGateways()
    {
        var gateways = Gateways
            .SelectMany(g => GatewayAddress.SplitList(g ?? string.Empty))
            .Select(g => GatewayAddress.Parse(g, nameof(Gateways)))
            .Distinct()
            .ToArray();
        return gateways.Length > 0
            ? gateways
            : throw new ArgumentException("At least one gateway ('host:port') is required.", nameof(Gateways));
    }

    /// <summary>Checks everything but the gateways.</summary>
    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(ClusterId))
        {
            throw new ArgumentException("ClusterId must not be empty.", nameof(ClusterId));
        }

        if (string.IsNullOrWhiteSpace(ServiceId))
        {
            throw new ArgumentException("ServiceId must not be empty.", nameof(ServiceId));
        }

        if (OperationTimeout < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(OperationTimeout), OperationTimeout, "OperationTimeout must be at least 1 second.");
        }

        Retry.Validate();
    }
}
