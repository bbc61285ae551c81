using Loire.Client.Internal;

namespace Loire.Client.Security;

/// <summary>
/// A Loire connection string, in Service Bus's shape:
/// <c>Endpoint=loire://host:port[,host:port...];SharedAccessKeyName=NAME;SharedAccessKey=KEY[;EntityPath=PATH]</c>, or
/// <c>Endpoint=...;SharedAccessSignature=SharedAccessSignature sr=...</c>. Optional <c>ClusterId</c>,
/// <c>ServiceId</c>, <c>UseTls=true</c> and <c>TlsServerName</c>. Keys are case-insensitive, each may appear once, and anything else is an error.
/// </summary>
public sealed class LoireConnectionString
{
    /// <summary>The URI scheme of <see cref="Gateways"/> in <c>Endpoint</c>.</summary>
    public const string Scheme = "loire";

    private LoireConnectionString(IReadOnlyList<string> gateways)
    {
        Gateways = gateways;
    }

    /// <summary>The gateways, each <c>host:port</c>.</summary>
    public IReadOnlyList<string> Gateways { get; }

    /// <summary>The rule whose key signs tokens; null with <see cref="SharedAccessSignature"/> or without credentials.</summary>
    public string? SharedAccessKeyName { get; private init; }

    /// <summary>The rule's key.</summary>
    public string? SharedAccessKey { get; private init; }

    /// <summary>A ready-made token, instead of a key.</summary>
    public string? SharedAccessSignature { get; private init; }

    /// <summary>The entity tokens are scoped to (an entity rule's key must have it); null: the whole namespace.</summary>
    public string? EntityPath { get; private init; }

    /// <summary>The cluster id, when given.</summary>
    public string? ClusterId { get; private init; }

    /// <summary>The service id, when given.</summary>
    public string? ServiceId { get; private init; }

    /// <summary>Connect over TLS (<c>UseTls=true</c>).</summary>
    public bool UseTls { get; private init; }

    /// <summary>The name the server certificate must carry (<c>TlsServerName</c>); default the first gateway's host.</summary>
    public string? TlsServerName { get; private init; }

    /// <summary>Parses <paramref name="connectionString"/> strictly.</summary>
    /// <exception cref="ArgumentException">It is malformed; the message says where (it never repeats a key).</exception>
    public static LoireConnectionString Parse(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var parts = connectionString.Split(';', StringSplitOptions.TrimEntries);
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (part.Length == 0)
            {
                continue;
            }

            // The position only, never the text: a malformed part may be a key.
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || equals == part.Length - 1)
            {
                throw Invalid($"part {i + 1} is not of the form Key=Value");
            }

            var key = part[..equals].Trim();
            if (!KnownKeys.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                throw Invalid($"unknown key '{key}' (expected {string.Join(", ", KnownKeys)})");
            }

            if (!values.TryAdd(key, part[(equals + 1)..].Trim()))
            {
                throw Invalid($"'{key}' appears more than once");
            }
        }

        if (!values.TryGetValue("Endpoint", out var endpoint))
        {
            throw Invalid("Endpoint is required (Endpoint=loire://host:port)");
        }

        var result = new LoireConnectionString(ParseEndpoint(endpoint))
        {
            SharedAccessKeyName = values.GetValueOrDefault("SharedAccessKeyName"),
            SharedAccessKey = values.GetValueOrDefault("SharedAccessKey"),
            SharedAccessSignature = values.GetValueOrDefault("SharedAccessSignature"),
            EntityPath = values.GetValueOrDefault("EntityPath")?.Trim('/'),
            ClusterId = values.GetValueOrDefault("ClusterId"),
            ServiceId = values.GetValueOrDefault("ServiceId"),
            UseTls = values.TryGetValue("UseTls", out var useTls) && (bool.TryParse(useTls, out var tls) ? tls : throw Invalid("UseTls must be true or false")),
            TlsServerName = values.GetValueOrDefault("TlsServerName"),
        };
        if (result.SharedAccessSignature is not null && (result.SharedAccessKey is not null || result.SharedAccessKeyName is not null))
        {
            throw Invalid("give either SharedAccessSignature or SharedAccessKeyName with SharedAccessKey, not both");
        }

        if ((result.SharedAccessKeyName is null) != (result.SharedAccessKey is null))
        {
            throw Invalid("SharedAccessKeyName and SharedAccessKey go together");
        }

        if (result.SharedAccessSignature is { } signature && Loire.Security.SharedAccessSignature.TryParse(signature, out var error) is null)
        {
            throw Invalid($"SharedAccessSignature is not a token: {error}");
        }

        return result;
    }

    /// <summary>Client options for this connection string: gateways, ids and a token provider when it has credentials.</summary>
    public LoireClientOptions ToClientOptions()
    {
        var options = new LoireClientOptions { TokenProvider = CreateTokenProvider() };
        foreach (var gateway in Gateways)
        {
            options.Gateways.Add(gateway);
        }

        options.ClusterId = ClusterId ?? options.ClusterId;
        options.ServiceId = ServiceId ?? options.ServiceId;
        options.Tls.Enabled = UseTls;
        options.Tls.TargetHost = TlsServerName;
        return options;
    }

    /// <summary>The token provider the credentials describe, or null without credentials.</summary>
    public LoireTokenProvider? CreateTokenProvider() => this switch
    {
        { SharedAccessSignature: { } signature } => LoireTokenProvider.CreateSharedAccessSignatureProvider(signature),
        { SharedAccessKeyName: { } name, SharedAccessKey: { } key } => LoireTokenProvider.CreateSharedAccessKeyProvider(name, key, EntityPath),
        _ => null,
    };

    /// <summary>True when <paramref name="value"/> looks like a connection string rather than a gateway list.</summary>
    internal static bool IsConnectionString(string value) => value.Contains('=', StringComparison.Ordinal);

    private static readonly string[] KnownKeys =
        ["Endpoint", "SharedAccessKeyName", "SharedAccessKey", "SharedAccessSignature", "EntityPath", "ClusterId", "ServiceId", "UseTls", "TlsServerName"];

    private static string[] ParseEndpoint(string endpoint)
    {
        var prefix = Scheme + "://";
        if (!endpoint.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            throw Invalid($"Endpoint must start with {prefix} (for example {prefix}127.0.0.1:30000,127.0.0.1:30001)");
        }

        var gateways = endpoint[prefix.Length..].TrimEnd('/');
        var list = GatewayAddress.SplitList(gateways).ToArray();
        if (list.Length == 0)
        {
            throw Invalid("Endpoint names no gateway");
        }

        foreach (var gateway in list)
        {
            GatewayAddress.Parse(gateway, "connectionString");
        }

        return list;
    }

    private static ArgumentException Invalid(string problem) => new($"Invalid Loire connection string: {problem}.", "connectionString");
}
