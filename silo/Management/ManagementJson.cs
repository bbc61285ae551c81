using System.Text.Json;
using System.Text.Json.Serialization;

namespace Loire.Silo.Management;

/// <summary>
/// JSON of the management API: camelCase, enums as camelCase strings, and strict reading (unknown fields, missing
/// required ones and nulls where none is allowed are refused), so a typo never silently means "default".
/// </summary>
public static class ManagementJson
{
    /// <summary>Largest request body read; a message at the broker's 100 MiB limit, base64-encoded, still fits.</summary>
    public const long MaxBodyBytes = 140L * 1024 * 1024;

    public static JsonSerializerOptions Options { get; } = CreateOptions();

    /// <summary>Sets the shared settings on <paramref name="options"/> (the host's, so OpenAPI schemas match the wire).</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.PropertyNameCaseInsensitive = false;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.RespectNullableAnnotations = true;
        options.RespectRequiredConstructorParameters = true;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
    }

    /// <summary>Reads the request body as <typeparamref name="T"/>; InvalidArgument when it is missing, not JSON, or does not fit.</summary>
    public static async Task<T> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken) where T : class
    {
        if (!request.HasJsonContentType())
        {
            throw ManagementProblem.Invalid($"The request body must be JSON (Content-Type: application/json); got '{request.ContentType ?? "none"}'.");
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            throw ManagementProblem.Invalid($"The request body is {request.ContentLength} bytes; at most {MaxBodyBytes} are read.");
        }

        T? value;
        try
        {
            value = await JsonSerializer.DeserializeAsync<T>(request.Body, Options, cancellationToken);
        }
        catch (JsonException exception)
        {
            throw ManagementProblem.Invalid($"The request body is not valid: {exception.Message}");
        }

        return value ?? throw ManagementProblem.Invalid("The request body must be a JSON object, not null.");
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        return options;
    }
}
