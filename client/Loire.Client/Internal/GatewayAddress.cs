using System.Globalization;

namespace Loire.Client.Internal;

/// <summary>One gateway as the user wrote it: a host name or IP address and a port.</summary>
internal readonly record struct GatewayAddress(string Host, int Port)
{
    /// <summary>Splits <c>"host:port;host:port"</c> into its entries; empty entries are skipped.</summary>
    public static IEnumerable<string> SplitList(string gateways) =>
        gateways.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Parses <c>host:port</c>, <c>1.2.3.4:port</c> or <c>[::1]:port</c>.</summary>
    /// <exception cref="ArgumentException">The entry is not of that form.</exception>
    public static GatewayAddress Parse(string value, string parameterName)
    {
        var text = value.Trim();
        string host;
        string port;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= text.Length || text[close + 1] != ':')
            {
                throw Invalid(value, parameterName);
            }

            host = text[1..close];
            port = text[(close + 2)..];
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon <= 0 || text.IndexOf(':') != colon)
            {
                throw Invalid(value, parameterName);
            }

            host = text[..colon];
            port = text[(colon + 1)..];
        }

        if (host.Length == 0
            || !int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var portNumber)
            || portNumber is < 1 or > 65535)
        {
            throw Invalid(value, parameterName);
        }

        return new GatewayAddress(host, portNumber);
    }

    /// <inheritdoc />
    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    private static ArgumentException Invalid(string value, string parameterName) => new(
        $"'{value}' is not a gateway address; write 'host:port' (for example '127.0.0.1:30000' or '[::1]:30000').",
        parameterName);
}
