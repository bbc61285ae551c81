using Loire.Messages;

namespace Loire.Client.Internal;

/// <summary>The value types application properties (and correlation filter properties) may hold.</summary>
internal static class PropertyValues
{
    /// <summary>
    /// Returns the value as it travels: <see cref="Uri"/> becomes its original string, every other supported type is
    /// kept. Null or any other type throws <see cref="LoireErrorReason.InvalidArgument"/>.
    /// </summary>
    public static object Normalize(string key, object? value, string? entityPath)
    {
        switch (value)
        {
            case string or char when !MessageValues.IsWellFormed(value.ToString()):
                throw Validation.Invalid($"Application property '{key}' holds a lone UTF-16 surrogate; text must be well-formed Unicode.", entityPath);
            case not null when MessageValues.IsSupportedPropertyValue(value):
                return value;
            case Uri uri:
                return uri.OriginalString;
            case null:
                throw Validation.Invalid($"Application property '{key}' is null; property values must not be null.", entityPath);
            default:
                throw Validation.Invalid(
                    $"Application property '{key}' has type {value.GetType().FullName}; supported types are string, bool, " +
                    "integral and floating-point numbers, decimal, char, Guid, DateTime, DateTimeOffset, TimeSpan and Uri.",
                    entityPath);
        }
    }

    /// <summary>A validated copy of <paramref name="properties"/>, or null when it is empty.</summary>
    public static Dictionary<string, object>? Copy(IEnumerable<KeyValuePair<string, object>>? properties, string? entityPath)
    {
        Dictionary<string, object>? copy = null;
        if (properties is null)
        {
            return null;
        }

        foreach (var (key, value) in properties)
        {
            if (string.IsNullOrEmpty(key))
            {
                throw Validation.Invalid("Application property names must not be empty.", entityPath);
            }

            if (!MessageValues.IsWellFormed(key))
            {
                throw Validation.Invalid("An application property name holds a lone UTF-16 surrogate; text must be well-formed Unicode.", entityPath);
            }

            copy ??= new Dictionary<string, object>(StringComparer.Ordinal);
            copy[key] = Normalize(key, value, entityPath);
        }

        return copy;
    }
}
