using Loire.Entities;
using Loire.Grains;
using Loire.Messages;
using Loire.Partitions;

namespace Loire.Silo.Management;

/// <summary>
/// Messages of an entity: peek (main or dead-letter sub-queue), purge and dead-letter resubmit on queues and
/// subscriptions; send and scheduled-message cancel on queues and topics. Partitioned entities are handled here as
/// the .NET client handles them: peeks walk the partitions in order, sequence numbers name their partition.
/// </summary>
public static partial class MessageEndpoints
{
    public const int MaxPeekCount = 1000;

    public const int MaxPreviewBytes = 64 * 1024;

    private const int DefaultPeekCount = 10;

    private const int DefaultPreviewBytes = 1024;

    public static void Map(IEndpointRouteBuilder api)
    {
        var queue = api.MapGroup("/queues/{queue}").WithTags("Messages");
        queue.MapGet("/messages", (string queue, [AsParameters] PeekQuery query, ManagedEntities e, TimeProvider time, CancellationToken ct) =>
            PeekAsync(e, ManagementNames.QueueOrTopic(queue), query, time, ct)).Produces<PeekResponse>();
        queue.MapPost("/purge", (string queue, string? subQueue, ManagedEntities e, ILogger<ManagedEntities> log, CancellationToken ct) =>
            PurgeAsync(e, log, ManagementNames.QueueOrTopic(queue), subQueue, ct)).Produces<MessageCountResponse>();
        queue.MapPost("/deadletters/resubmit", (string queue, HttpRequest request, ManagedEntities e, ILogger<ManagedEntities> log, CancellationToken ct) =>
            ResubmitAsync(e, log, ManagementNames.QueueOrTopic(queue), request, ct)).Accepts<ResubmitRequest>("application/json").Produces<MessageCountResponse>();
        queue.MapPost("/messages", (string queue, HttpRequest request, ManagedEntities e, CancellationToken ct) =>
            SendAsync(e, ManagementNames.QueueOrTopic(queue), EntityKind.Queue, request, ct)).Accepts<SendMessageRequest>("application/json").Produces<SendResponse>();
        queue.MapPost("/scheduled/cancel", (string queue, HttpRequest request, ManagedEntities e, CancellationToken ct) =>
            CancelScheduledAsync(e, ManagementNames.QueueOrTopic(queue), EntityKind.Queue, request, ct)).Accepts<CancelScheduledRequest>("application/json").Produces(StatusCodes.Status204NoContent);

        var topic = api.MapGroup("/topics/{topic}").WithTags("Messages");
        topic.MapPost("/messages", (string topic, HttpRequest request, ManagedEntities e, CancellationToken ct) =>
            SendAsync(e, ManagementNames.QueueOrTopic(topic), EntityKind.Topic, request, ct)).Accepts<SendMessageRequest>("application/json").Produces<SendResponse>();
        topic.MapPost("/scheduled/cancel", (string topic, HttpRequest request, ManagedEntities e, CancellationToken ct) =>
            CancelScheduledAsync(e, ManagementNames.QueueOrTopic(topic), EntityKind.Topic, request, ct)).Accepts<CancelScheduledRequest>("application/json").Produces(StatusCodes.Status204NoContent);

        var subscription = api.MapGroup("/topics/{topic}/subscriptions/{subscription}").WithTags("Messages");
        subscription.MapGet("/messages", (string topic, string subscription, [AsParameters] PeekQuery query, ManagedEntities e, TimeProvider time, CancellationToken ct) =>
            PeekAsync(e, ManagementNames.Subscription(topic, subscription), query, time, ct)).Produces<PeekResponse>();
        subscription.MapPost("/purge", (string topic, string subscription, string? subQueue, ManagedEntities e, ILogger<ManagedEntities> log, CancellationToken ct) =>
            PurgeAsync(e, log, ManagementNames.Subscription(topic, subscription), subQueue, ct)).Produces<MessageCountResponse>();
        subscription.MapPost("/deadletters/resubmit", (string topic, string subscription, HttpRequest request, ManagedEntities e, ILogger<ManagedEntities> log, CancellationToken ct) =>
            ResubmitAsync(e, log, ManagementNames.Subscription(topic, subscription), request, ct)).Accepts<ResubmitRequest>("application/json").Produces<MessageCountResponse>();
    }

    private static async Task<IResult> PeekAsync(ManagedEntities entities, string path, PeekQuery query, TimeProvider time, CancellationToken ct)
    {
        var from = ManagementQuery.Long(query.FromSequenceNumber, "fromSequenceNumber", 0, 0);
        var maxCount = ManagementQuery.Int(query.MaxCount, "maxCount", DefaultPeekCount, 1, MaxPeekCount);
        var subQueue = ManagementQuery.Enum<ManagedSubQueue>(query.SubQueue, "subQueue") ?? ManagedSubQueue.Main;
        var previewBytes = ManagementQuery.Int(query.PreviewBytes, "previewBytes", DefaultPreviewBytes, 0, MaxPreviewBytes);
        var entity = await entities.RequireReceivableAsync(path, ct);
        var kind = ToKind(subQueue);

        var peeked = new List<DeliveredMessage>();
        var partitionCount = entity.Options.PartitionCount;
        for (var index = EntityPartitions.PartitionOfSequenceNumber(from); index < partitionCount && peeked.Count < maxCount; index++)
        {
            var start = Math.Max(from, EntityPartitions.FirstSequenceNumber(index) - 1);
            peeked.AddRange(await entities.Queue(EntityPartitions.GrainPath(path, index)).PeekAsync(start, maxCount - peeked.Count, kind, ct));
        }

        var now = time.GetUtcNow();
        var messages = peeked.Select(m => PeekedMessage.From(m, subQueue, previewBytes, now)).ToArray();
        return ManagementApi.Json(new PeekResponse(messages, messages.Length == 0 ? null : messages.Max(m => m.SequenceNumber) + 1));
    }

    private static async Task<IResult> PurgeAsync(ManagedEntities entities, ILogger log, string path, string? subQueueText, CancellationToken ct)
    {
        // No default: a forgotten parameter must not empty the main queue when the dead letters were meant.
        var subQueue = ManagementQuery.Enum<ManagedSubQueue>(subQueueText, "subQueue")
            ?? throw ManagementProblem.Invalid("Query parameter 'subQueue' is required: 'main' or 'deadLetter'.", path);
        await entities.RequireReceivableAsync(path, ct);

        // Partition 0 purges every partition.
        var purged = await entities.Queue(path).PurgeAsync(ToKind(subQueue), ct);
        LogPurged(log, purged, path, subQueue);
        return ManagementApi.Json(new MessageCountResponse(purged));
    }

    private static async Task<IResult> ResubmitAsync(ManagedEntities entities, ILogger log, string path, HttpRequest request, CancellationToken ct)
    {
        var body = await EntityEndpoints.ReadOptionalAsync(request, new ResubmitRequest(), ct);
        await entities.RequireReceivableAsync(path, ct);
        if (body.SequenceNumbers is { Length: 0 })
        {
            // Nothing named, nothing to move; null is the way to ask for all.
            return ManagementApi.Json(new MessageCountResponse(0));
        }

        // Partition 0 hands each partition its own numbers.
        var moved = await entities.Queue(path).ResubmitDeadLettersAsync(body.SequenceNumbers?.Distinct().ToArray(), ct);
        LogResubmitted(log, moved, path);
        return ManagementApi.Json(new MessageCountResponse(moved));
    }

    private static async Task<IResult> SendAsync(ManagedEntities entities, string path, EntityKind kind, HttpRequest request, CancellationToken ct)
    {
        var body = await ManagementJson.ReadAsync<SendMessageRequest>(request, ct);
        var message = body.ToOutgoing(path);
        var entity = await entities.RequireAsync(path, kind, ct);
        var options = entity.Options;
        var partition = MessagePartitioner.SelectPartition([message], options.PartitionCount, options.RequiresDuplicateDetection, path)
            ?? Random.Shared.Next(options.PartitionCount);
        var numbers = await entities.Entity(entity, partition).SendAsync([message], ct);
        return ManagementApi.Json(new SendResponse(numbers));
    }

    private static async Task<IResult> CancelScheduledAsync(ManagedEntities entities, string path, EntityKind kind, HttpRequest request, CancellationToken ct)
    {
        var body = await ManagementJson.ReadAsync<CancelScheduledRequest>(request, ct);
        if (body.SequenceNumbers.Any(n => n < 1))
        {
            throw ManagementProblem.Invalid("Sequence numbers are positive.", path);
        }

        var entity = await entities.RequireAsync(path, kind, ct);

        // Each number names the partition that issued it.
        var groups = EntityPartitions.GroupByPartition(body.SequenceNumbers.Distinct(), entity.Options.PartitionCount, EntityPartitions.PartitionOfSequenceNumber);
        foreach (var (index, numbers) in groups)
        {
            await entities.Entity(entity, index).CancelScheduledAsync([.. numbers], ct);
        }

        return Results.NoContent();
    }

    private static SubQueueKind ToKind(ManagedSubQueue subQueue) =>
        subQueue == ManagedSubQueue.DeadLetter ? SubQueueKind.DeadLetter : SubQueueKind.None;

    [LoggerMessage(EventId = 30, Level = LogLevel.Information, Message = "Management API purged {Count} messages of {Entity} ({SubQueue})")]
    private static partial void LogPurged(ILogger logger, long count, string entity, ManagedSubQueue subQueue);

    [LoggerMessage(EventId = 31, Level = LogLevel.Information, Message = "Management API resubmitted {Count} dead letters of {Entity}")]
    private static partial void LogResubmitted(ILogger logger, long count, string entity);
}
