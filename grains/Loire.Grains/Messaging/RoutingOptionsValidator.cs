using Loire.Client;
using Loire.Entities;
using Loire.Grains.Persistence;
using Loire.Storage;

namespace Loire.Grains.Messaging;

/// <summary>
/// Checks duplicate-detection and forwarding options. The synchronous part runs with the other option checks; the
/// catalog part (<see cref="ValidateTargetsAsync"/>) when a queue or subscription is created: targets must exist and
/// be queues or topics, and following ForwardTo from the new entity (through topics to their forwarding
/// subscriptions) must neither come back to it nor take more than <see cref="MaxHops"/> hops.
/// </summary>
internal static class RoutingOptionsValidator
{
    /// <summary>Most ForwardTo hops a message may take from the entity it was sent to, as in Service Bus.</summary>
    public const int MaxHops = 4;

    private const int SubscriptionPageSize = 1_000;

    public static void Validate(string path, EntityKind kind, EntityOptions options)
    {
        if (options.RequiresDuplicateDetection)
        {
            Require(kind != EntityKind.Subscription, path,
                "RequiresDuplicateDetection applies to queues and topics; a topic's duplicate detection covers its subscriptions.");
            Require(options.DuplicateDetectionHistoryTimeWindow <= DuplicateDetector.MaxWindow, path,
                $"DuplicateDetectionHistoryTimeWindow must be at most {DuplicateDetector.MaxWindow.TotalDays} days; got {options.DuplicateDetectionHistoryTimeWindow}.");
        }

        if (kind == EntityKind.Topic)
        {
            Require(options.ForwardTo is null && options.ForwardDeadLetteredMessagesTo is null, path,
                "A topic does not forward; set ForwardTo or ForwardDeadLetteredMessagesTo on its subscriptions.");
            return;
        }

        ValidateTargetPath(path, options.ForwardTo, nameof(options.ForwardTo));
        ValidateTargetPath(path, options.ForwardDeadLetteredMessagesTo, nameof(options.ForwardDeadLetteredMessagesTo));
        Require(!string.Equals(options.ForwardTo, path, StringComparison.Ordinal), path, $"'{path}' cannot forward to itself.");
        Require(!string.Equals(options.ForwardDeadLetteredMessagesTo, path, StringComparison.Ordinal), path,
            $"'{path}' cannot forward its dead-lettered messages to itself.");
        if (kind == EntityKind.Subscription && options.ForwardTo is { } target && string.Equals(target, TopicOf(path), StringComparison.Ordinal))
        {
            throw Loop(path, [path, target, path]);
        }
    }

    /// <summary>
    /// Refuses targets that do not exist (<see cref="LoireErrorReason.MessagingEntityNotFound"/>, naming the target)
    /// and forwarding loops or over-long chains (<see cref="LoireErrorReason.InvalidArgument"/>, naming the path).
    /// </summary>
    public static async Task ValidateTargetsAsync(IMessageStore store, GrainPayloadCodec codec, string path, EntityKind kind,
        EntityOptions options, CancellationToken cancellationToken)
    {
        if (options.ForwardDeadLetteredMessagesTo is { } deadLetterTarget)
        {
            await RequireTargetAsync(store, codec, path, deadLetterTarget, nameof(options.ForwardDeadLetteredMessagesTo), cancellationToken);
        }

        if (options.ForwardTo is not { } target)
        {
            return;
        }

        var first = await RequireTargetAsync(store, codec, path, target, nameof(options.ForwardTo), cancellationToken);
        var ownTopic = kind == EntityKind.Subscription ? TopicOf(path) : null;

        // Depth-first over ForwardTo edges; a topic leads to the targets of its forwarding subscriptions. A node is
        // walked again only when reached by a longer chain, so the hop limit also bounds the work.
        var deepest = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<(EntityDescription Node, int Hops, string[] Trail)>();
        stack.Push((first, 1, [path, target]));
        while (stack.TryPop(out var item))
        {
            var (node, hops, trail) = item;
            if (deepest.TryGetValue(node.Path, out var seen) && seen >= hops)
            {
                continue;
            }

            deepest[node.Path] = hops;
            foreach (var (via, next) in await SuccessorsAsync(store, codec, node, cancellationToken))
            {
                string[] nextTrail = via is null ? [.. trail, next] : [.. trail, via, next];
                if (string.Equals(next, path, StringComparison.Ordinal))
                {
                    throw Loop(path, nextTrail);
                }

                if (ownTopic is not null && string.Equals(next, ownTopic, StringComparison.Ordinal))
                {
                    throw Loop(path, [.. nextTrail, path]);
                }

                if (await FindAsync(store, codec, next, cancellationToken) is not { } description)
                {
                    // A dangling ForwardTo: sends there fail, but it is not a chain.
                    continue;
                }

                if (hops + 1 > MaxHops)
                {
                    throw new LoireException(LoireErrorReason.InvalidArgument,
                        $"Forwarding from '{path}' would take more than {MaxHops} hops: {string.Join(" → ", nextTrail)}.", path);
                }

                stack.Push((description, hops + 1, nextTrail));
            }
        }
    }

    /// <summary>The entities a message reaching <paramref name="node"/> is forwarded to, with the subscription it goes through.</summary>
    private static async Task<List<(string? Via, string Target)>> SuccessorsAsync(IMessageStore store, GrainPayloadCodec codec,
        EntityDescription node, CancellationToken cancellationToken)
    {
        var successors = new List<(string? Via, string Target)>();
        if (node.Kind != EntityKind.Topic)
        {
            if (node.Options.ForwardTo is { } next)
            {
                successors.Add((null, next));
            }

            return successors;
        }

        var prefix = EntityPath.Subscription(node.Path, "");
        string? after = null;
        while (true)
        {
            var page = await store.ListEntitiesAsync((int)EntityKind.Subscription, prefix, after, SubscriptionPageSize, cancellationToken);
            foreach (var record in page)
            {
                var subscription = codec.DecodeEntity(record).Description;
                if (subscription.Options.ForwardTo is { } next)
                {
                    successors.Add((subscription.Path, next));
                }
            }

            if (page.Count < SubscriptionPageSize)
            {
                return successors;
            }

            after = page[^1].Path;
        }
    }

    private static async Task<EntityDescription> RequireTargetAsync(IMessageStore store, GrainPayloadCodec codec, string path, string target,
        string option, CancellationToken cancellationToken)
    {
        var description = await FindAsync(store, codec, target, cancellationToken);
        if (description is null)
        {
            throw new LoireException(LoireErrorReason.MessagingEntityNotFound,
                $"{option} of '{path}' names '{target}', which does not exist; create the target first.", target);
        }

        if (description.Kind is not (EntityKind.Queue or EntityKind.Topic))
        {
            throw new LoireException(LoireErrorReason.InvalidArgument,
                $"{option} of '{path}' names '{target}', a {description.Kind}; forward to a queue or a topic.", path);
        }

        return description;
    }

    private static async Task<EntityDescription?> FindAsync(IMessageStore store, GrainPayloadCodec codec, string path, CancellationToken cancellationToken) =>
        await store.GetEntityAsync(path, cancellationToken) is { } record ? codec.DecodeEntity(record).Description : null;

    private static void ValidateTargetPath(string path, string? target, string option)
    {
        if (target is not null && EntityPath.GetQueueOrTopicError(target) is { } error)
        {
            throw new LoireException(LoireErrorReason.InvalidArgument, $"{option} must name a queue or topic: {error}", path);
        }
    }

    private static string? TopicOf(string subscriptionPath) => EntityPath.SplitSubscription(subscriptionPath)?.Topic;

    private static LoireException Loop(string path, IEnumerable<string> trail) =>
        new(LoireErrorReason.InvalidArgument, $"Forwarding from '{path}' would form a loop: {string.Join(" → ", trail)}.", path);

    private static void Require(bool condition, string path, string message)
    {
        if (!condition)
        {
            throw new LoireException(LoireErrorReason.InvalidArgument, message, path);
        }
    }
}
