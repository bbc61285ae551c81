using System.Text.Json;
using System.Text.Json.Serialization;

namespace Loire.Silo.Management;

/// <summary>
/// Writes an enum of the management API as its camelCase name and reads any casing of it. Put on the type, not in
/// the host's JSON options, so the OpenAPI schema shows the names and other endpoints keep their own settings.
/// </summary>
public sealed class CamelCaseEnumConverter<T>() : JsonStringEnumConverter<T>(JsonNamingPolicy.CamelCase, allowIntegerValues: false)
    where T : struct, Enum;
