using System.Text.Json;

namespace Loire.Silo.Management;

/// <summary>
/// Application property values from JSON: strings, booleans and numbers (whole numbers as 64-bit integers, others as
/// doubles), the JSON-native subset of the types the broker carries. Objects, arrays and null are refused.
/// </summary>
public static class JsonPropertyValues
{
    public static Dictionary<string, object>? ToObjects(Dictionary<string, JsonElement>? properties, string what, string? entityPath)
    {
        if (properties is null)
        {
            return null;
        }

        var result = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (key, value) in properties)
        {
            if (string.IsNullOrEmpty(key))
            {
                throw ManagementProblem.Invalid($"{what} names must not be empty.", entityPath);
            }

            result[key] = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString()!,
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Number when value.TryGetInt64(out var whole) => whole,
                JsonValueKind.Number => value.GetDouble(),
                _ => throw ManagementProblem.Invalid(
                    $"{what} '{key}' is {value.ValueKind}; values must be strings, numbers or booleans.", entityPath),
            };
        }

        return result;
    }
}
