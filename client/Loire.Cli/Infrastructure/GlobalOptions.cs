using System.CommandLine;

namespace Loire.Cli.Infrastructure;

/// <summary>Options every command takes: where the cluster is, how long to wait for it, and the output format.</summary>
internal sealed class GlobalOptions
{
    public const string GatewayVariable = "LOIRE_GATEWAY";
    public const string ClusterIdVariable = "LOIRE_CLUSTER_ID";
    public const string ServiceIdVariable = "LOIRE_SERVICE_ID";
    public const string ConnectionStringVariable = "LOIRE_CONNECTION_STRING";
    public const string DefaultGateway = "127.0.0.1:30000";

    public Option<string?> Gateway { get; } = new("--gateway", "-g")
    {
        Description = $"Gateways of the cluster, 'host:port;host:port' (default: ${GatewayVariable}, else {DefaultGateway})",
        Recursive = true,
    };

    public Option<string?> ConnectionString { get; } = new("--connection-string")
    {
        Description = $"Endpoint=loire://host:port[,host:port];SharedAccessKeyName=NAME;SharedAccessKey=KEY (or SharedAccessSignature=...), "
            + $"for clusters with authorisation on; replaces --gateway (default: ${ConnectionStringVariable})",
        Recursive = true,
    };

    public Option<string?> ClusterId { get; } = new("--cluster-id")
    {
        Description = $"Orleans cluster id (default: ${ClusterIdVariable}, else loire)",
        Recursive = true,
    };

    public Option<string?> ServiceId { get; } = new("--service-id")
    {
        Description = $"Orleans service id (default: ${ServiceIdVariable}, else loire)",
        Recursive = true,
    };

    public Option<double> Timeout { get; } = new("--timeout")
    {
        Description = "Seconds to wait for the gateway and for each broker call",
        DefaultValueFactory = _ => 10,
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Write results as JSON instead of tables",
        Recursive = true,
    };

    public void AddTo(Command root)
    {
        root.Options.Add(Gateway);
        root.Options.Add(ConnectionString);
        root.Options.Add(ClusterId);
        root.Options.Add(ServiceId);
        root.Options.Add(Timeout);
        root.Options.Add(Json);
    }
}
