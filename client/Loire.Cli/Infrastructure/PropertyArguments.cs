using System.Globalization;

namespace Loire.Cli.Infrastructure;

/// <summary>
/// Application properties from <c>--property key=value</c> flags. Values are strings unless typed as
/// <c>key:int=5</c>, <c>key:double=1.5</c> or <c>key:bool=true</c>, so SQL filters can compare numbers.
/// </summary>
internal static class PropertyArguments
{
    public static Dictionary<string, object> Parse(IEnumerable<string>? arguments)
    {
        var properties = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var argument in arguments ?? [])
        {
            var equals = argument.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new CliUsageException($"--property: '{argument}' is not key=value.");
            }

            var key = argument[..equals];
            var text = argument[(equals + 1)..];
            var colon = key.LastIndexOf(':');
            var type = colon > 0 ? key[(colon + 1)..] : "string";
            key = colon > 0 ? key[..colon] : key;
            properties[key] = type.ToLowerInvariant() switch
            {
                "string" => text,
                "int" or "long" when long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var integer) => integer,
                "double" when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) => number,
                "bool" when bool.TryParse(text, out var flag) => flag,
                _ => throw new CliUsageException($"--property: '{argument}' is not a valid {type} (types: string, int, double, bool)."),
            };
        }

        return properties;
    }
}
