using Microsoft.OpenApi;

namespace Loire.Silo.Management;

/// <summary>
/// The management API on the silo's HTTP port: entities, rules, runtime counts, peek, dead-letter tools and sends
/// under <c>/api/v1</c>, its OpenAPI document at <see cref="OpenApiPath"/>. It calls the grains directly, so any silo
/// answers for every entity; reads of settings and listings come from the catalog and activate nothing.
/// </summary>
public static class ManagementApi
{
    public const string Prefix = "/api/v1";

    public const string OpenApiPath = Prefix + "/openapi.json";

    // The document name fills MapOpenApi's {documentName}, which makes the path OpenApiPath.
    private const string DocumentName = "openapi";

    public static IServiceCollection AddManagementApi(this IServiceCollection services)
    {
        services.AddSingleton<ManagedEntities>();
        services.AddOpenApi(DocumentName, openApi =>
        {
            // Only this API: the dashboard, health and scaler endpoints have their own contracts.
            openApi.ShouldInclude = description => description.RelativePath?.StartsWith("api/v1/", StringComparison.Ordinal) == true;
            openApi.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Loire management API",
                    Version = "v1",
                    Description = "Errors are application/problem+json with 'reason' = the broker's LoireErrorReason name. "
                        + "A '/' inside a queue or topic path is written %2F in a route.",
                };
                return Task.CompletedTask;
            });
        });
        return services;
    }

    public static IEndpointRouteBuilder MapManagementApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup(Prefix)
            .AddEndpointFilter<ManagementErrorFilter>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        EntityListEndpoints.Map(api);
        EntityEndpoints.Map(api);
        RuleEndpoints.Map(api);
        MessageEndpoints.Map(api);
        ClusterEndpoints.Map(api);
        Security.AccessRuleEndpoints.Map(api);
        endpoints.MapOpenApi(Prefix + "/{documentName}.json");
        return endpoints;
    }

    /// <summary>A JSON answer in the API's own settings (camelCase, enum names), whatever the host's defaults are.</summary>
    public static IResult Json<T>(T value, int statusCode = StatusCodes.Status200OK) =>
        Results.Json(value, ManagementJson.Options, statusCode: statusCode);
}
