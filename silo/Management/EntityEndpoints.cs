using Loire.Entities;
using Loire.Grains;

namespace Loire.Silo.Management;

/// <summary>
/// Create, read, update and delete queues, topics and subscriptions, and their live counts. <c>PUT</c> creates (201,
/// or 409 when the path is taken); <c>PUT</c> with <c>If-Match: *</c> updates what exists (200, or 404), as in Azure
/// Service Bus' REST API: the settings given replace the entity's, those absent keep their value.
/// </summary>
public static partial class EntityEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var queue = api.MapGroup("/queues/{queue}").WithTags("Queues");
        queue.MapGet("", (string queue, ManagedEntities entities, CancellationToken ct) =>
            GetAsync(entities, ManagementNames.QueueOrTopic(queue), EntityKind.Queue, ct)).Produces<EntityResponse>();
        queue.MapPut("", (string queue, HttpRequest request, ManagedEntities entities, ILogger<ManagedEntities> log, CancellationToken ct) =>
            PutAsync(entities, log, request, ManagementNames.QueueOrTopic(queue), EntityKind.Queue, ct))
            .Accepts<CreateEntityRequest>("application/json").Produces<EntityResponse>(StatusCodes.Status201Created).Produces<EntityResponse>()
            .WithDescription(PutDescription);
        queue.MapDelete("", (string queue, ManagedEntities entities, ILogger<ManagedEntities> log, CancellationToken ct) =>
            DeleteAsync(entities, log, ManagementNames.QueueOrTopic(queue), EntityKind.Queue, ct)).Produces(StatusCodes.Status204NoContent);
        queue.MapGet("/runtime", (string queue, ManagedEntities entities, CancellationToken ct) =>
            GetRuntimeAsync(entities, ManagementNames.QueueOrTopic(queue), EntityKind.Queue, ct)).Produces<RuntimePropertiesResponse>();

        var topic = api.MapGroup("/topics/{topic}").WithTags("Topics");
        topic.MapGet("", (string topic, ManagedEntities entities, CancellationToken ct) =>
            GetAsync(entities, ManagementNames.QueueOrTopic(topic), EntityKind.Topic, ct)).Produces<EntityResponse>();
        topic.MapPut("", (string topic, HttpRequest request, ManagedEntities entities, ILogger<ManagedEntities> log, CancellationToken ct) =>
            PutAsync(entities, log, request, ManagementNames.QueueOrTopic(topic), EntityKind.Topic, ct))
            .Accepts<CreateEntityRequest>("application/json").Produces<EntityResponse>(StatusCodes.Status201Created).Produces<EntityResponse>()
            .WithDescription(PutDescription);
        topic.MapDelete("", (string topic, ManagedEntities entities, ILogger<ManagedEntities> log, CancellationToken ct) =>
            DeleteAsync(entities, log, ManagementNames.QueueOrTopic(topic), EntityKind.Topic, ct)).Produces(StatusCodes.Status204NoContent);
        topic.MapGet("/runtime", (string topic, ManagedEntities entities, CancellationToken ct) =>
            GetRuntimeAsync(entities, ManagementNames.QueueOrTopic(topic), EntityKind.Topic, ct)).Produces<RuntimePropertiesResponse>();
        topic.MapGet("/subscriptions", ListSubscriptionsAsync).Produces<EntityResponse[]>();

        var subscription = api.MapGroup("/topics/{topic}/subscriptions/{subscription}").WithTags("Subscriptions");
        subscription.MapGet("", (string topic, string subscription, ManagedEntities entities, CancellationToken ct) =>
            GetAsync(entities, ManagementNames.Subscription(topic, subscription), EntityKind.Subscription, ct)).Produces<EntityResponse>();
        subscription.MapPut("", PutSubscriptionAsync)
            .Accepts<CreateSubscriptionRequest>("application/json").Produces<EntityResponse>(StatusCodes.Status201Created).Produces<EntityResponse>()
            .WithDescription(PutDescription + " An update takes no rule: rules change through /rules.");
        subscription.MapDelete("", DeleteSubscriptionAsync).Produces(StatusCodes.Status204NoContent);
        subscription.MapGet("/runtime", (string topic, string subscription, ManagedEntities entities, CancellationToken ct) =>
            GetRuntimeAsync(entities, ManagementNames.Subscription(topic, subscription), EntityKind.Subscription, ct)).Produces<RuntimePropertiesResponse>();
    }

    private const string PutDescription =
        "Creates the entity (201; 409 when the path is taken). With the header 'If-Match: *' updates the existing one instead "
        + "(200; 404 when missing): given settings replace the entity's, absent ones stay; partitionCount, requiresSession, "
        + "requiresDuplicateDetection and duplicateDetectionHistoryTimeWindow are fixed at creation. forwardTo or "
        + "forwardDeadLetteredMessagesTo \"\" stops forwarding, maxMessageCount 0 lifts the count limit.";

    private static Task<IResult> PutAsync(ManagedEntities entities, ILogger log, HttpRequest request, string path, EntityKind kind, CancellationToken ct) =>
        IsUpdate(request) ? UpdateAsync(entities, log, request, path, kind, ct) : CreateAsync(entities, log, request, path, kind, ct);

    /// <summary><c>If-Match: *</c>: "only if it exists", which is what an update asks for.</summary>
    private static bool IsUpdate(HttpRequest request) => request.Headers.IfMatch.Any(v => v?.Trim() == "*");

    private static async Task<IResult> UpdateAsync(ManagedEntities entities, ILogger log, HttpRequest request, string path, EntityKind kind, CancellationToken ct)
    {
        var body = await ReadOptionalAsync(request, new CreateEntityRequest(), ct);
        var current = await entities.RequireAsync(path, kind, ct);
        var options = (body.Settings ?? new EntitySettings()).ApplyTo(current.Options);
        var updated = await entities.Entity(current).UpdateAsync(options, ct);
        LogUpdated(log, ManagedEntities.Describe(kind), path);
        return ManagementApi.Json(EntityResponse.From(updated));
    }

    private static async Task<IResult> GetAsync(ManagedEntities entities, string path, EntityKind kind, CancellationToken ct) =>
        ManagementApi.Json(EntityResponse.From(await entities.RequireAsync(path, kind, ct)));

    private static async Task<IResult> CreateAsync(ManagedEntities entities, ILogger log, HttpRequest request, string path, EntityKind kind, CancellationToken ct)
    {
        var body = await ReadOptionalAsync(request, new CreateEntityRequest(), ct);
        var options = (body.Settings ?? new EntitySettings()).ToOptions();
        var now = DateTimeOffset.UtcNow;
        IEntityGrain grain = kind == EntityKind.Topic ? entities.Topic(path) : entities.Queue(path);
        await grain.CreateAsync(new EntityDescription(path, kind, options, now, now), ct);
        LogCreated(log, ManagedEntities.Describe(kind), path);
        return Created(await grain.GetDescriptionAsync(ct));
    }

    private static async Task<IResult> DeleteAsync(ManagedEntities entities, ILogger log, string path, EntityKind kind, CancellationToken ct)
    {
        // The catalog check keeps "DELETE /queues/x" from deleting a topic named x, and activates nothing when absent.
        var entity = await entities.RequireAsync(path, kind, ct);
        await entities.Entity(entity).DeleteAsync(ct);
        LogDeleted(log, ManagedEntities.Describe(kind), path);
        return Results.NoContent();
    }

    private static async Task<IResult> GetRuntimeAsync(ManagedEntities entities, string path, EntityKind kind, CancellationToken ct)
    {
        var entity = await entities.RequireAsync(path, kind, ct);
        return ManagementApi.Json(RuntimePropertiesResponse.From(path, await entities.Entity(entity).GetRuntimeInfoAsync(ct)));
    }

    private static async Task<IResult> ListSubscriptionsAsync(string topic, ManagedEntities entities, CancellationToken ct)
    {
        var path = ManagementNames.QueueOrTopic(topic);
        await entities.RequireAsync(path, EntityKind.Topic, ct);
        var subscriptions = await entities.Topic(path).GetSubscriptionsAsync(ct);
        return ManagementApi.Json(subscriptions.Select(EntityResponse.From).ToArray());
    }

    private static async Task<IResult> PutSubscriptionAsync(string topic, string subscription, HttpRequest request, ManagedEntities entities,
        ILogger<ManagedEntities> log, CancellationToken ct)
    {
        var path = ManagementNames.Subscription(topic, subscription);
        var topicPath = ManagementNames.QueueOrTopic(topic);
        var body = await ReadOptionalAsync(request, new CreateSubscriptionRequest(), ct);
        if (IsUpdate(request))
        {
            if (body.Rule is not null)
            {
                throw ManagementProblem.Invalid("An update of a subscription takes no 'rule'; rules change through its /rules.", path);
            }

            var current = await entities.RequireAsync(path, EntityKind.Subscription, ct);
            var options = (body.Settings ?? new EntitySettings()).ApplyTo(current.Options);
            var updated = await entities.Topic(topicPath).UpdateSubscriptionAsync(subscription, options, ct);
            LogUpdated(log, "subscription", path);
            return ManagementApi.Json(EntityResponse.From(updated));
        }

        return await CreateSubscriptionAsync(entities, log, path, topicPath, subscription, body, ct);
    }

    private static async Task<IResult> CreateSubscriptionAsync(ManagedEntities entities, ILogger log, string path, string topicPath,
        string subscription, CreateSubscriptionRequest body, CancellationToken ct)
    {
        var options = (body.Settings ?? new EntitySettings()).ToOptions();
        var rule = body.Rule is { } r ? new RuleDescription(ManagementNames.Rule(r.Name, path), r.Filter.ToDescription(path)) : null;
        await entities.RequireAsync(topicPath, EntityKind.Topic, ct);
        var created = await entities.Topic(topicPath).CreateSubscriptionAsync(subscription, options, rule, ct);
        LogCreated(log, "subscription", path);
        return Created(created);
    }

    private static async Task<IResult> DeleteSubscriptionAsync(string topic, string subscription, ManagedEntities entities,
        ILogger<ManagedEntities> log, CancellationToken ct)
    {
        var path = ManagementNames.Subscription(topic, subscription);
        await entities.RequireAsync(path, EntityKind.Subscription, ct);
        await entities.Topic(ManagementNames.QueueOrTopic(topic)).DeleteSubscriptionAsync(subscription, ct);
        LogDeleted(log, "subscription", path);
        return Results.NoContent();
    }

    private static IResult Created(EntityDescription entity) =>
        ManagementApi.Json(EntityResponse.From(entity), StatusCodes.Status201Created);

    /// <summary>The body, or <paramref name="empty"/> when the request has none: a create with every default needs no JSON.</summary>
    internal static Task<T> ReadOptionalAsync<T>(HttpRequest request, T empty, CancellationToken ct) where T : class =>
        request.ContentLength == 0 || (request.ContentLength is null && request.ContentType is null && !request.Headers.TransferEncoding.Any())
            ? Task.FromResult(empty)
            : ManagementJson.ReadAsync<T>(request, ct);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Management API created {Kind} {Entity}")]
    private static partial void LogCreated(ILogger logger, string kind, string entity);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "Management API updated {Kind} {Entity}")]
    private static partial void LogUpdated(ILogger logger, string kind, string entity);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Management API deleted {Kind} {Entity}")]
    private static partial void LogDeleted(ILogger logger, string kind, string entity);
}
