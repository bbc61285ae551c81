using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Loire.Security;

/// <summary>
/// A shared access signature token, in Service Bus's shape:
/// <c>SharedAccessSignature sr={resource}&amp;sig={signature}&amp;se={expiry}&amp;skn={key name}</c>, where the signature is
/// the base64 HMAC-SHA256, under the rule's key, of the URL-encoded resource, a line feed and the expiry (Unix seconds).
/// </summary>
/// <remarks>
/// The resource is a URI such as <c>loire://broker/orders</c> or a bare entity path (<c>orders</c>); only its path
/// counts, as the token's scope: the token is valid for that entity and what lies under it (a topic's subscriptions),
/// and an empty path means the whole namespace. The host part is ignored, since a cluster has many gateways.
/// </remarks>
public sealed class SharedAccessSignature
{
    /// <summary>The token's prefix, also the HTTP <c>Authorization</c> scheme.</summary>
    public const string Scheme = "SharedAccessSignature";

    /// <summary>The Orleans request context key a client puts its token under for each call.</summary>
    public const string RequestContextKey = "loire-sas";

    /// <summary>Longest accepted token: anything longer is not one of ours.</summary>
    public const int MaxTokenLength = 4096;

    private SharedAccessSignature(string resource, string signature, DateTimeOffset expiresAt, string keyName)
    {
        Resource = resource;
        Signature = signature;
        ExpiresAt = expiresAt;
        KeyName = keyName;
    }

    /// <summary>The signed resource URI (<c>sr</c>), decoded.</summary>
    public string Resource { get; }

    /// <summary>The base64 signature (<c>sig</c>), decoded.</summary>
    public string Signature { get; }

    /// <summary>When the token stops being valid (<c>se</c>).</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>The rule whose key signed the token (<c>skn</c>).</summary>
    public string KeyName { get; }

    /// <summary>The entity path the token is scoped to; empty for the whole namespace.</summary>
    public string Scope => ScopeOf(Resource);

    /// <summary>Creates a token for <paramref name="resource"/>, signed with <paramref name="key"/> of rule <paramref name="keyName"/>.</summary>
    public static string Create(string keyName, string key, string resource, DateTimeOffset expiresAt)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyName);
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(resource);
        var expiry = expiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = Sign(key, resource, expiry);
        return $"{Scheme} sr={Uri.EscapeDataString(resource)}&sig={Uri.EscapeDataString(signature)}&se={expiry}&skn={Uri.EscapeDataString(keyName)}";
    }

    /// <summary>Parses a token strictly: the prefix, and each of sr, sig, se and skn exactly once, nothing else.</summary>
    /// <returns>The token, or null with <paramref name="error"/> saying what is wrong.</returns>
    public static SharedAccessSignature? TryParse(string? token, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(token))
        {
            error = "no shared access signature was presented";
            return null;
        }

        if (token.Length > MaxTokenLength || !token.StartsWith(Scheme + " ", StringComparison.Ordinal))
        {
            error = $"the token does not start with '{Scheme} '";
            return null;
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in token[(Scheme.Length + 1)..].Split('&'))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? pair[..equals] : pair;
            if (equals <= 0 || name is not ("sr" or "sig" or "se" or "skn") || !fields.TryAdd(name, pair[(equals + 1)..]))
            {
                error = $"the token has an unknown, empty or repeated field '{name}'";
                return null;
            }
        }

        if (fields.Count != 4)
        {
            error = "the token needs sr, sig, se and skn";
            return null;
        }

        if (!long.TryParse(fields["se"], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > 253402300799)
        {
            error = "the token's expiry (se) is not a Unix time in seconds";
            return null;
        }

        try
        {
            return new SharedAccessSignature(
                Uri.UnescapeDataString(fields["sr"]), Uri.UnescapeDataString(fields["sig"]),
                DateTimeOffset.FromUnixTimeSeconds(seconds), Uri.UnescapeDataString(fields["skn"]));
        }
        catch (UriFormatException)
        {
            error = "the token is not URL-encoded correctly";
            return null;
        }
    }

    /// <summary>True when the token was signed with <paramref name="key"/>; compares in constant time.</summary>
    public bool IsSignedWith(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(key, Resource, ExpiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(Signature));
    }

    /// <summary>True when the token's scope covers <paramref name="entityPath"/> (null: the namespace itself).</summary>
    public bool Covers(string? entityPath)
    {
        var scope = Scope;
        return scope.Length == 0
            || (entityPath is not null && (entityPath == scope || entityPath.StartsWith(scope + "/", StringComparison.Ordinal)));
    }

    /// <summary>The entity path part of a resource URI, without leading or trailing slashes.</summary>
    public static string ScopeOf(string resource)
    {
        var path = resource;
        var scheme = resource.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            var slash = resource.IndexOf('/', scheme + 3);
            path = slash < 0 ? string.Empty : resource[slash..];
        }

        return path.Trim('/');
    }

    private static string Sign(string key, string resource, string expiry)
    {
        var stringToSign = Uri.EscapeDataString(resource) + "\n" + expiry;
        return Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(stringToSign)));
    }
}
