using Loire.Client;
using Loire.Entities;
using Loire.Grains;
using Loire.Silo.Management;

namespace Loire.Silo.Security;

/// <summary>
/// A queue's or topic's shared access rules: <c>GET|POST /api/v1/{queues|topics}/{name}/authorization-rules</c>,
/// <c>PUT|DELETE .../authorization-rules/{keyName}</c> (PUT replaces a rule, to rotate its keys) and
/// <c>POST .../authorization-rules/{keyName}/regenerate-keys</c> (a new random key made here for one slot). Manage rights.
/// </summary>
public static class AccessRuleEndpoints
{
    public const string Segment = "authorization-rules";

    public static void Map(IEndpointRouteBuilder api)
    {
        foreach (var (kind, route) in new[] { (EntityKind.Queue, "/queues/{queue}/"), (EntityKind.Topic, "/topics/{topic}/") })
        {
            var rules = api.MapGroup(route + Segment).WithTags("Authorization rules");
            rules.MapGet("", (HttpContext context, IGrainFactory grains, CancellationToken ct) => ListAsync(kind, context, grains, ct))
                .Produces<AccessRuleDto[]>();
            rules.MapPost("", (HttpContext context, IGrainFactory grains, CancellationToken ct) => PutAsync(kind, null, context, grains, ct))
                .Accepts<AccessRuleDto>("application/json").Produces<AccessRuleDto>(StatusCodes.Status201Created);
            rules.MapPut("/{keyName}", (string keyName, HttpContext context, IGrainFactory grains, CancellationToken ct) => PutAsync(kind, keyName, context, grains, ct))
                .Accepts<AccessRuleDto>("application/json").Produces<AccessRuleDto>();
            rules.MapDelete("/{keyName}", (string keyName, HttpContext context, IGrainFactory grains, CancellationToken ct) => DeleteAsync(kind, keyName, context, grains, ct))
                .Produces(StatusCodes.Status204NoContent);
            rules.MapPost("/{keyName}/regenerate-keys", (string keyName, HttpContext context, IGrainFactory grains, CancellationToken ct) => RegenerateAsync(kind, keyName, context, grains, ct))
                .Accepts<RegenerateKeyRequest>("application/json").Produces<AccessRuleDto>();
        }
    }

    private static async Task<IResult> ListAsync(EntityKind kind, HttpContext context, IGrainFactory grains, CancellationToken ct)
    {
        var rules = await (await RequireAsync(kind, context, grains, ct)).GetAccessRulesAsync(ct);
        return ManagementApi.Json(rules.Select(AccessRuleDto.From).ToArray());
    }

    private static async Task<IResult> PutAsync(EntityKind kind, string? keyName, HttpContext context, IGrainFactory grains, CancellationToken ct)
    {
        var body = await ManagementJson.ReadAsync<AccessRuleDto>(context.Request, ct);
        var path = PathOf(kind, context);
        if (keyName is not null && body.KeyName is not null && body.KeyName != keyName)
        {
            throw ManagementProblem.Invalid($"The body names rule '{body.KeyName}', the route '{keyName}'.", path);
        }

        body.KeyName ??= keyName;
        var rule = body.ToRule(out var error) ?? throw ManagementProblem.Invalid($"Invalid shared access rule: {error}.", path);
        await (await RequireAsync(kind, context, grains, ct)).PutAccessRuleAsync(rule, replace: keyName is not null, ct);
        return ManagementApi.Json(AccessRuleDto.From(rule), keyName is null ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    private static async Task<IResult> RegenerateAsync(EntityKind kind, string keyName, HttpContext context, IGrainFactory grains, CancellationToken ct)
    {
        var body = await ManagementJson.ReadAsync<RegenerateKeyRequest>(context.Request, ct);
        var keyType = body.KeyType ?? throw ManagementProblem.Invalid("keyType is required: PrimaryKey or SecondaryKey.", PathOf(kind, context));
        var rule = await (await RequireAsync(kind, context, grains, ct)).RegenerateAccessRuleKeyAsync(keyName, keyType, ct);
        return ManagementApi.Json(AccessRuleDto.From(rule));
    }

    private static async Task<IResult> DeleteAsync(EntityKind kind, string keyName, HttpContext context, IGrainFactory grains, CancellationToken ct)
    {
        await (await RequireAsync(kind, context, grains, ct)).DeleteAccessRuleAsync(keyName, ct);
        return Results.NoContent();
    }

    private static async Task<IEntityGrain> RequireAsync(EntityKind kind, HttpContext context, IGrainFactory grains, CancellationToken ct)
    {
        var path = PathOf(kind, context);
        await new ManagedEntities(grains).RequireAsync(path, kind, ct);
        return EntityGrains.Get(grains, kind, path);
    }

    private static string PathOf(EntityKind kind, HttpContext context) =>
        ManagementNames.QueueOrTopic((string)context.Request.RouteValues[kind == EntityKind.Queue ? "queue" : "topic"]!);
}
