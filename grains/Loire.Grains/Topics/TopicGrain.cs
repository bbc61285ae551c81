using Loire.Client;
using Loire.Entities;
using Loire.Grains.AutoDelete;
using Loire.Filters;
using Loire.Grains.Diagnostics;
using Loire.Grains.Hosting;
using Loire.Grains.Messaging;
using Loire.Grains.Persistence;
using Loire.Messages;
using Loire.Partitions;
using Loire.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Loire.Grains.Topics;

/// <summary>
/// A topic: keeps the routing table of its subscriptions and fans each publish out to the matching ones, storing
/// every subscription's copy in one store batch (all of them or none, see TopicGrain.FanOut) that shares the
/// store's group commit. Management operations are serialized by a gate; publishes interleave freely with each other.
/// </summary>
[Reentrant]
[GrainType("loire-topic")]
internal sealed partial class TopicGrain(
    IMessageStore store,
    GrainPayloadCodec codec,
    IOptions<LoireBrokerOptions> brokerOptions,
    LoireInstruments instruments,
    TimeProvider time,
    ILogger<TopicGrain> logger) : Grain, ITopicGrain
{
    private const long SequenceBlock = 10_000;
    private const int MaxSubscriptions = 2_000;
    private const int MaxRulesPerSubscription = 100;

    private readonly Dictionary<string, SubscriptionRoute> _routes = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _management = new(1, 1);
    private SubscriptionRoute[] _routeSnapshot = [];
    private EntityDocument? _document;
    private EntityKind? _foreignKind;
    private long _nextSequence = 1;
    private Task _reservation = Task.CompletedTask;
    private ActivationFence? _fence;

    // GetPrimaryKeyString decodes a new string on every call, and the hot paths name the entity once per message.
    private string? _path;

    private string Path => _path ??= this.GetPrimaryKeyString();

    // Fences the sequence blocks: a superseded activation cannot reserve one, so no two activations hand out a number twice.
    private ActivationFence Fence => _fence ??= new ActivationFence(store, Path, logger);

    private string SubscriptionPrefix => TopicPath + "/" + EntityPath.SubscriptionsSegment + "/";

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var record = await store.GetEntityAsync(Path, cancellationToken);
        if (record is null)
        {
            return;
        }

        if (record.Kind != (int)EntityKind.Topic)
        {
            _foreignKind = (EntityKind)record.Kind;
            return;
        }

        if (await Fence.AcquireAsync(cancellationToken) is not { } current)
        {
            return;
        }

        _document = codec.DecodeEntity(current);
        _nextSequence = _document.SequenceCeiling;
        await LoadDuplicateHistoryAsync(cancellationToken);
        ReplaceRoutes(await LoadSubscriptionsAsync(cancellationToken));
        EnsureIdleClock();
    }

    public async Task ReloadSubscriptionsAsync(CancellationToken cancellationToken = default)
    {
        await _management.WaitAsync(cancellationToken);
        try
        {
            RequireTopic();
            ReplaceRoutes(await LoadSubscriptionsAsync(cancellationToken));
        }
        finally
        {
            _management.Release();
        }
    }

    /// <summary>Routes to exactly <paramref name="subscriptions"/>, swapped in one synchronous step: a publish never sees half of them.</summary>
    private void ReplaceRoutes(List<EntityDescription> subscriptions)
    {
        _routes.Clear();
        foreach (var subscription in subscriptions)
        {
            SetRoute(subscription);
        }

        _routeSnapshot = [.. _routes.Values];
    }

    /// <summary>The topic's subscriptions as stored (partition 0's records; other partitions' records are not subscriptions).</summary>
    private async Task<List<EntityDescription>> LoadSubscriptionsAsync(CancellationToken cancellationToken)
    {
        var subscriptions = new List<EntityDescription>();
        string? after = null;
        while (true)
        {
            var page = await store.ListEntitiesAsync((int)EntityKind.Subscription, SubscriptionPrefix, after, 1_000, cancellationToken);
            foreach (var subscription in page)
            {
                if (!EntityPartitions.IsPartitionPath(subscription.Path))
                {
                    subscriptions.Add(codec.DecodeEntity(subscription).Description);
                }
            }

            if (page.Count < 1_000)
            {
                return subscriptions;
            }

            after = page[^1].Path;
        }
    }

    public async Task CreateAsync(EntityDescription description, CancellationToken cancellationToken = default)
    {
        if (description.Kind != EntityKind.Topic)
        {
            throw new LoireException(LoireErrorReason.InvalidArgument, $"A topic grain cannot hold a {description.Kind}.", Path);
        }

        EntityPath.ValidateQueueOrTopic(TopicPath);
        if (!string.Equals(description.Path, TopicPath, StringComparison.Ordinal))
        {
            throw new LoireException(LoireErrorReason.InvalidArgument, $"The description is of '{description.Path}', but this grain holds '{TopicPath}'.", Path);
        }

        EntityOptionsValidator.Validate(Path, EntityKind.Topic, description.Options);
        RequirePartitionOf(description.Options.PartitionCount);
        await _management.WaitAsync(cancellationToken);
        try
        {
            ThrowIfExists();

            // Partitions first: once the topic's own record exists, senders may pick any partition.
            await PartitionSet.CreateAllAsync(OtherPartitions(description.Options.PartitionCount), description, cancellationToken);
            var now = time.GetUtcNow();
            var firstSequence = EntityPartitions.FirstSequenceNumber(PartitionIndex);
            var document = new EntityDocument(description with { Path = Path, CreatedAt = now, UpdatedAt = now, Rules = [] }, SequenceCeiling: firstSequence);
            await AutoDeleteIndexGrain.AddIfAutoDeletingAsync(GrainFactory, Path, description, cancellationToken);
            if (!await store.TryCreateEntityAsync(codec.EncodeEntity(document), cancellationToken))
            {
                await PartitionSet.DeleteAllAsync(OtherPartitions(description.Options.PartitionCount));
                throw new LoireException(LoireErrorReason.MessagingEntityAlreadyExists, $"An entity named '{Path}' already exists.", Path);
            }

            if (await Fence.AcquireAsync(CancellationToken.None) is null)
            {
                throw new LoireException(LoireErrorReason.MessagingEntityNotFound, $"'{Path}' was deleted while it was created.", Path);
            }

            _document = document;
            _nextSequence = firstSequence;
        }
        finally
        {
            _management.Release();
        }

        LogCreated(Path);
    }

    public Task<EntityDescription> GetDescriptionAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(RequireTopic().Description);

    public async Task DeleteAsync(CancellationToken cancellationToken = default)
    {
        await _management.WaitAsync(cancellationToken);
        try
        {
            await PartitionSet.DeleteAllAsync(OtherPartitions(RequireTopic().Description.Options.PartitionCount));
            foreach (var route in _routes.Values.ToList())
            {
                await DeleteSubscriptionGrainAsync(route);
                RemoveRoute(route.Description.Path);
            }

            await Fence.CommitAsync(DeleteDuplicateHistory(new StoreBatch().DeleteEntity(Path)), DeactivateOnIdle, CancellationToken.None);
            _document = null;
            instruments.Deleted(Path);
            LogDeleted(Path);
            DeactivateOnIdle();
        }
        finally
        {
            _management.Release();
        }
    }

    public async ValueTask<long[]> SendAsync(OutgoingMessage[] messages, CancellationToken cancellationToken = default)
    {
        var document = RequireTopic();
        if (messages is null || messages.Length == 0)
        {
            return [];
        }

        RequireOwnPartition(document, messages);
        OutgoingMessageValidator.Validate(messages, document.Description, brokerOptions.Value.MaxMessageSizeBytes);
        cancellationToken.ThrowIfCancellationRequested();
        return Duplicates is { } duplicates
            ? await PublishWithoutDuplicatesAsync(duplicates, messages, cancellationToken)
            : await PublishAsync(document, messages, plan: null, cancellationToken);
    }

    /// <summary>
    /// Numbers the messages and delivers each to every subscription whose rules match, all of them or none (see
    /// TopicGrain.FanOut); durable in all of them when it returns.
    /// </summary>
    private async Task<long[]> PublishAsync(EntityDocument document, OutgoingMessage[] messages, DuplicatePlan? plan, CancellationToken cancellationToken)
    {
        using var activity = BrokerTracing.StartRoute(Path, messages);
        try
        {
            var (sequenceNumbers, subscriptions) = await RouteAsync(document, messages, plan, cancellationToken);
            activity?.SetTag("messaging.loire.subscription_count", subscriptions);
            return sequenceNumbers;
        }
        catch (Exception exception)
        {
            BrokerTracing.RecordError(activity, exception);
            throw;
        }
    }

    /// <summary>Matches the messages against every subscription's rules and delivers them; returns their numbers and how many subscriptions got some.</summary>
    private async Task<(long[] SequenceNumbers, int Subscriptions)> RouteAsync(EntityDocument document, OutgoingMessage[] messages, DuplicatePlan? plan, CancellationToken cancellationToken)
    {
        var sequenceNumbers = await ReserveSequenceNumbersAsync(document, messages.Length);
        var defaultTtl = document.Description.Options.DefaultMessageTimeToLive;
        var now = time.GetUtcNow();
        var routes = _routeSnapshot;
        var matched = new List<OutgoingMessage>?[routes.Length];
        var matchedNumbers = new List<long>?[routes.Length];
        for (var i = 0; i < messages.Length; i++)
        {
            var message = messages[i];
            if (defaultTtl != TimeSpan.MaxValue && (message.TimeToLive is null || message.TimeToLive > defaultTtl))
            {
                message = message with { TimeToLive = defaultTtl };
            }

            var filterable = new FilterableMessage(message, sequenceNumbers[i], now);
            for (var r = 0; r < routes.Length; r++)
            {
                if (routes[r].Matches(filterable))
                {
                    (matched[r] ??= []).Add(message);
                    (matchedNumbers[r] ??= []).Add(sequenceNumbers[i]);
                }
            }
        }

        SessionRouting.ThrowIfSessionless(routes, matched);
        var deliveries = new List<Delivery>(routes.Length);
        for (var r = 0; r < routes.Length; r++)
        {
            if (matched[r] is { } batch)
            {
                deliveries.Add(new Delivery(routes[r], [.. batch], [.. matchedNumbers[r]!]));
            }
        }

        await FanOutAsync(deliveries, messages, sequenceNumbers, plan, cancellationToken);
        instruments.Sent(Path, messages.Length);
        return (sequenceNumbers, deliveries.Count);
    }

    public async Task CancelScheduledAsync(long[] sequenceNumbers, CancellationToken cancellationToken = default)
    {
        RequireTopic();
        await Task.WhenAll(_routeSnapshot.Select(route => route.Grain.CancelScheduledAsync(sequenceNumbers, cancellationToken)));
    }

    public async Task<EntityDescription> CreateSubscriptionAsync(string name, EntityOptions options, RuleDescription? rule, CancellationToken cancellationToken = default)
    {
        EntityPath.ValidateName(name, "subscription");
        rule ??= RuleDescription.Default;
        EntityPath.ValidateName(rule.Name, "rule");
        var path = EntityPath.Subscription(Path, name);
        RuleCompiler.Compile(rule, path);
        EntityOptionsValidator.Validate(path, EntityKind.Subscription, options);

        await _management.WaitAsync(cancellationToken);
        try
        {
            var topic = RequireTopic().Description.Options;
            if (_routes.ContainsKey(path))
            {
                throw new LoireException(LoireErrorReason.MessagingEntityAlreadyExists, $"Subscription '{name}' already exists on '{Path}'.", path);
            }

            if (_routes.Count >= MaxSubscriptions)
            {
                throw new LoireException(LoireErrorReason.QuotaExceeded, $"A topic may have at most {MaxSubscriptions} subscriptions.", Path);
            }

            // The topic's size limit is enforced where its messages are held: no subscription may hold more than it.
            // Topic partition i fans out to subscription partition i.
            options = options with
            {
                MaxSizeInMegabytes = Math.Min(options.MaxSizeInMegabytes, topic.MaxSizeInMegabytes),
                PartitionCount = topic.PartitionCount,
            };
            var now = time.GetUtcNow();
            var grain = GrainFactory.GetGrain<IQueueGrain>(path);
            await grain.CreateAsync(new EntityDescription(path, EntityKind.Subscription, options, now, now) { Rules = [rule] }, cancellationToken);
            var created = await grain.GetDescriptionAsync(cancellationToken);
            SetRoute(created);
            await ReloadOtherPartitionsAsync();
            return created;
        }
        finally
        {
            _management.Release();
        }
    }

    public async Task DeleteSubscriptionAsync(string name, CancellationToken cancellationToken = default)
    {
        await _management.WaitAsync(cancellationToken);
        try
        {
            RequireTopic();
            var route = RequireRoute(name);
            RemoveRoute(route.Description.Path);
            await DeleteSubscriptionGrainAsync(route);
            await ReloadOtherPartitionsAsync();
        }
        finally
        {
            _management.Release();
        }
    }

    public Task<EntityDescription[]> GetSubscriptionsAsync(CancellationToken cancellationToken = default)
    {
        RequireTopic();
        return Task.FromResult(_routes.Values.Select(r => r.Description).OrderBy(d => d.Path, StringComparer.Ordinal).ToArray());
    }

    public async Task CreateRuleAsync(string subscription, RuleDescription rule, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rule);
        EntityPath.ValidateName(rule.Name, "rule");
        await UpdateRulesAsync(subscription, rules =>
        {
            if (rules.Any(r => r.Name.Equals(rule.Name, StringComparison.OrdinalIgnoreCase)))
            {
                throw new LoireException(LoireErrorReason.MessagingEntityAlreadyExists, $"Rule '{rule.Name}' already exists on subscription '{subscription}'.", Path);
            }

            if (rules.Length >= MaxRulesPerSubscription)
            {
                throw new LoireException(LoireErrorReason.QuotaExceeded, $"A subscription may have at most {MaxRulesPerSubscription} rules.", Path);
            }

            return [.. rules, rule];
        }, cancellationToken);
    }

    public async Task DeleteRuleAsync(string subscription, string ruleName, CancellationToken cancellationToken = default)
    {
        await UpdateRulesAsync(subscription, rules =>
        {
            if (!rules.Any(r => r.Name.Equals(ruleName, StringComparison.OrdinalIgnoreCase)))
            {
                throw new LoireException(LoireErrorReason.MessagingEntityNotFound, $"No rule '{ruleName}' on subscription '{subscription}'.", Path);
            }

            return rules.Where(r => !r.Name.Equals(ruleName, StringComparison.OrdinalIgnoreCase)).ToArray();
        }, cancellationToken);
    }

    public Task<EntityRuntimeInfo> GetRuntimeInfoAsync(CancellationToken cancellationToken = default)
    {
        var description = RequireTopic().Description;
        return Task.FromResult(new EntityRuntimeInfo
        {
            Path = Path,
            CreatedAt = description.CreatedAt,
            UpdatedAt = description.UpdatedAt,
            AccessedAt = time.GetUtcNow(),
            SubscriptionCount = _routes.Count,
        });
    }

    private async Task UpdateRulesAsync(string subscription, Func<RuleDescription[], RuleDescription[]> change, CancellationToken cancellationToken)
    {
        await _management.WaitAsync(cancellationToken);
        try
        {
            RequireTopic();
            var route = RequireRoute(subscription);
            var rules = change([.. route.Description.Rules]);
            foreach (var rule in rules)
            {
                RuleCompiler.Compile(rule, route.Description.Path);
            }

            await route.Grain.SetRulesAsync(rules, cancellationToken);
            SetRoute(await route.Grain.GetDescriptionAsync(cancellationToken));
            await ReloadOtherPartitionsAsync();
        }
        finally
        {
            _management.Release();
        }
    }

    private async Task<long[]> ReserveSequenceNumbersAsync(EntityDocument document, int count)
    {
        var first = _nextSequence;
        _nextSequence += count;
        if (_nextSequence > document.SequenceCeiling)
        {
            // Until it is durable the numbers of this block must not be used: if the write fails, the next publish
            // reserves a block again, above every number handed out so far.
            _reservation = ReplaceDocumentAsync(document with { SequenceCeiling = _nextSequence + SequenceBlock }, CancellationToken.None);
        }

        // Numbers are handed out only once the block holding them is durable under this activation's epoch, also to
        // publishes that did not raise the block themselves.
        await _reservation;

        var numbers = new long[count];
        for (var i = 0; i < count; i++)
        {
            numbers[i] = first + i;
        }

        return numbers;
    }

    /// <summary>
    /// Puts <paramref name="updated"/> in force at once, so a write that interleaves (a sequence ceiling, a settings or
    /// rules change) builds on it and neither undoes the other, and makes it durable under this activation's epoch;
    /// taken back if the store refuses it, unless another write built on it since.
    /// </summary>
    private async Task ReplaceDocumentAsync(EntityDocument updated, CancellationToken cancellationToken)
    {
        var previous = _document;
        _document = updated;
        try
        {
            await Fence.CommitAsync(new StoreBatch().PutEntity(codec.EncodeEntity(updated)), DeactivateOnIdle, cancellationToken);
        }
        catch when (ReferenceEquals(_document, updated))
        {
            _document = previous;
            throw;
        }
    }

    private async Task DeleteSubscriptionGrainAsync(SubscriptionRoute route)
    {
        try
        {
            await route.Grain.DeleteAsync();
        }
        catch (LoireException exception) when (exception.Reason == LoireErrorReason.MessagingEntityNotFound)
        {
            // Already gone: deleting is idempotent from the topic's point of view.
        }
    }

    private void SetRoute(EntityDescription description)
    {
        var filters = new MessageFilter[description.Rules.Length];
        for (var i = 0; i < filters.Length; i++)
        {
            try
            {
                filters[i] = RuleCompiler.Compile(description.Rules[i], description.Path);
            }
            catch (LoireException exception)
            {
                // A stored rule that no longer compiles must not stop the topic: it matches nothing.
                LogRuleSkipped(description.Path, description.Rules[i].Name, exception);
                filters[i] = FalseFilter.Instance;
            }
        }

        var grain = GrainFactory.GetGrain<IQueueGrain>(EntityPartitions.GrainPath(description.Path, PartitionIndex));
        _routes[description.Path] = new SubscriptionRoute(description, filters, grain);
        _routeSnapshot = [.. _routes.Values];
    }

    private void RemoveRoute(string path)
    {
        if (_routes.Remove(path))
        {
            _routeSnapshot = [.. _routes.Values];
        }
    }

    private SubscriptionRoute RequireRoute(string name)
    {
        EntityPath.ValidateName(name, "subscription");
        return _routes.TryGetValue(EntityPath.Subscription(Path, name), out var route)
            ? route
            : throw new LoireException(LoireErrorReason.MessagingEntityNotFound, $"No subscription '{name}' on topic '{Path}'.", EntityPath.Subscription(Path, name));
    }

    private EntityDocument RequireTopic()
    {
        Fence.ThrowIfSuperseded();
        return _document ?? throw (_foreignKind is { } kind
            ? new LoireException(LoireErrorReason.MessagingEntityNotFound, $"'{Path}' is a {kind}, not a topic.", Path)
            : new LoireException(LoireErrorReason.MessagingEntityNotFound, $"No topic named '{Path}'.", Path));
    }

    private void ThrowIfExists()
    {
        if (_document is not null || _foreignKind is not null)
        {
            throw new LoireException(LoireErrorReason.MessagingEntityAlreadyExists, $"An entity named '{Path}' already exists.", Path);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created topic {Entity}")]
    private partial void LogCreated(string entity);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted topic {Entity}")]
    private partial void LogDeleted(string entity);

    [LoggerMessage(Level = LogLevel.Error, Message = "Rule {Rule} of {Entity} does not compile and matches nothing")]
    private partial void LogRuleSkipped(string entity, string rule, Exception exception);
}
