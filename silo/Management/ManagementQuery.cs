using System.Globalization;

namespace Loire.Silo.Management;

/// <summary>
/// Query parameters parsed by hand: a binding failure of a typed minimal-API parameter answers an empty 400, and the
/// API promises a problem body that names the parameter.
/// </summary>
public static class ManagementQuery
{
    public static int Int(string? text, string name, int defaultValue, int minimum, int maximum)
    {
        if (text is null)
        {
            return defaultValue;
        }

        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < minimum || value > maximum)
        {
            throw ManagementProblem.Invalid($"Query parameter '{name}' must be an integer from {minimum} to {maximum}; got '{text}'.");
        }

        return value;
    }

    public static long Long(string? text, string name, long defaultValue, long minimum)
    {
        if (text is null)
        {
            return defaultValue;
        }

        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < minimum)
        {
            throw ManagementProblem.Invalid($"Query parameter '{name}' must be an integer of at least {minimum}; got '{text}'.");
        }

        return value;
    }

    public static bool Bool(string? text, string name)
    {
        if (text is null)
        {
            return false;
        }

        return bool.TryParse(text, out var value)
            ? value
            : throw ManagementProblem.Invalid($"Query parameter '{name}' must be 'true' or 'false'; got '{text}'.");
    }

    /// <summary>The enum value named <paramref name="text"/> (any casing); null when absent.</summary>
    public static T? Enum<T>(string? text, string name) where T : struct, Enum
    {
        if (text is null)
        {
            return null;
        }

        // Enum.TryParse also takes numbers and comma lists; only a defined name is accepted.
        return System.Enum.TryParse<T>(text, ignoreCase: true, out var value) && System.Enum.IsDefined(value) && !char.IsDigit(text[0]) && !text.Contains(',')
            ? value
            : throw ManagementProblem.Invalid(
                $"Query parameter '{name}' must be one of {string.Join(", ", System.Enum.GetNames<T>().Select(JsonName))}; got '{text}'.");
    }

    private static string JsonName(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}
