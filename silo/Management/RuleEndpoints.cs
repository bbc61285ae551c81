using Loire.Client;
using Loire.Entities;
using Loire.Grains.Topics;

namespace Loire.Silo.Management;

/// <summary>
/// Rules of a subscription, through the topic grain, which parses every filter before it stores anything: a bad
/// SQL filter is a 400 with the parser's message and leaves the rules as they were.
/// </summary>
public static partial class RuleEndpoints
{
    private const string Route = "/topics/{topic}/subscriptions/{subscription}/rules";

    public static void Map(IEndpointRouteBuilder api)
    {
        var rules = api.MapGroup(Route).WithTags("Rules");
        rules.MapGet("", ListAsync).Produces<RuleResponse[]>();
        rules.MapPost("", CreateAsync).Accepts<RuleRequest>("application/json").Produces<RuleResponse>(StatusCodes.Status201Created);
        rules.MapGet("/{rule}", GetAsync).Produces<RuleResponse>();
        rules.MapPut("/{rule}", ReplaceAsync).Accepts<ReplaceRuleRequest>("application/json").Produces<RuleResponse>();
        rules.MapDelete("/{rule}", DeleteAsync).Produces(StatusCodes.Status204NoContent);
    }

    private static async Task<IResult> ListAsync(string topic, string subscription, ManagedEntities entities, CancellationToken ct)
    {
        var rules = await GetRulesAsync(entities, ManagementNames.Subscription(topic, subscription), ct);
        return ManagementApi.Json(rules.Select(RuleResponse.From).ToArray());
    }

    private static async Task<IResult> GetAsync(string topic, string subscription, string rule, ManagedEntities entities, CancellationToken ct)
    {
        var path = ManagementNames.Subscription(topic, subscription);
        var name = ManagementNames.Rule(rule, path);
        return ManagementApi.Json(RuleResponse.From(Find(await GetRulesAsync(entities, path, ct), name, path)));
    }

    private static async Task<IResult> CreateAsync(string topic, string subscription, HttpRequest request, ManagedEntities entities,
        ILogger<ManagedEntities> log, CancellationToken ct)
    {
        var path = ManagementNames.Subscription(topic, subscription);
        var body = await ManagementJson.ReadAsync<RuleRequest>(request, ct);
        var rule = new RuleDescription(ManagementNames.Rule(body.Name, path), body.Filter.ToDescription(path));
        await entities.RequireAsync(path, EntityKind.Subscription, ct);
        await entities.Topic(ManagementNames.QueueOrTopic(topic)).CreateRuleAsync(subscription, rule, ct);
        LogRuleChanged(log, "created", rule.Name, path);
        return ManagementApi.Json(RuleResponse.From(rule), StatusCodes.Status201Created);
    }

    /// <summary>
    /// Replaces a rule's filter. The broker has no in-place update, so the new filter is added first under a
    /// temporary name (the topic validates it; a refusal changes nothing), then the old rule goes and the new one
    /// takes its name: at every moment the old or the new filter is in force, so no message falls between them.
    /// </summary>
    private static async Task<IResult> ReplaceAsync(string topic, string subscription, string rule, HttpRequest request, ManagedEntities entities,
        ILogger<ManagedEntities> log, CancellationToken ct)
    {
        var path = ManagementNames.Subscription(topic, subscription);
        var name = ManagementNames.Rule(rule, path);
        var body = await ManagementJson.ReadAsync<ReplaceRuleRequest>(request, ct);
        var filter = body.Filter.ToDescription(path);
        var existing = Find(await GetRulesAsync(entities, path, ct), name, path);

        // Checked here as the topic will check it, so a refusal names the rule the caller knows, not the bridge.
        RuleCompiler.Compile(new RuleDescription(existing.Name, filter), path);
        var topicGrain = entities.Topic(ManagementNames.QueueOrTopic(topic));

        var bridge = new RuleDescription("replacing-" + Guid.NewGuid().ToString("N"), filter);
        await topicGrain.CreateRuleAsync(subscription, bridge, ct);

        // From here on the change must finish, or the bridge rule would stay behind: the caller's cancellation no longer applies.
        await topicGrain.DeleteRuleAsync(subscription, existing.Name, CancellationToken.None);
        var replaced = new RuleDescription(existing.Name, filter);
        await topicGrain.CreateRuleAsync(subscription, replaced, CancellationToken.None);
        await topicGrain.DeleteRuleAsync(subscription, bridge.Name, CancellationToken.None);
        LogRuleChanged(log, "replaced", replaced.Name, path);
        return ManagementApi.Json(RuleResponse.From(replaced));
    }

    private static async Task<IResult> DeleteAsync(string topic, string subscription, string rule, ManagedEntities entities,
        ILogger<ManagedEntities> log, CancellationToken ct)
    {
        var path = ManagementNames.Subscription(topic, subscription);
        var name = ManagementNames.Rule(rule, path);
        await entities.RequireAsync(path, EntityKind.Subscription, ct);
        await entities.Topic(ManagementNames.QueueOrTopic(topic)).DeleteRuleAsync(subscription, name, ct);
        LogRuleChanged(log, "deleted", name, path);
        return Results.NoContent();
    }

    /// <summary>The rules as the subscription's own grain holds them (authoritative, unlike a catalog copy).</summary>
    private static async Task<IReadOnlyList<RuleDescription>> GetRulesAsync(ManagedEntities entities, string path, CancellationToken ct)
    {
        await entities.RequireAsync(path, EntityKind.Subscription, ct);
        var description = await entities.Queue(path).GetDescriptionAsync(ct);
        return description.Rules.IsDefault ? [] : description.Rules;
    }

    // Rule names match without regard to case, as the topic grain matches them.
    private static RuleDescription Find(IReadOnlyList<RuleDescription> rules, string name, string path) =>
        rules.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new LoireException(LoireErrorReason.MessagingEntityNotFound, $"Subscription '{path}' has no rule named '{name}'.", path);

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "Management API {Change} rule {Rule} of {Entity}")]
    private static partial void LogRuleChanged(ILogger logger, string change, string rule, string entity);
}
