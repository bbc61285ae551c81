using System.Runtime.CompilerServices;
using Loire.Client.Internal;
using Loire.Entities;

namespace Loire.Client.Administration;

public partial class LoireAdministrationClient
{
    /// <summary>Creates a subscription with default settings and the match-all default rule.</summary>
    /// <param name="topicName">The topic's path.</param>
    /// <param name="subscriptionName">The subscription's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException">
    /// <see cref="LoireErrorReason.InvalidArgument"/>, <see cref="LoireErrorReason.MessagingEntityNotFound"/> (no such topic)
    /// or <see cref="LoireErrorReason.MessagingEntityAlreadyExists"/>.
    /// </exception>
    public virtual Task<SubscriptionProperties> CreateSubscriptionAsync(string topicName, string subscriptionName, CancellationToken cancellationToken = default) =>
        CreateSubscriptionAsync(new CreateSubscriptionOptions(topicName, subscriptionName), cancellationToken);

    /// <summary>Creates a subscription with the match-all default rule.</summary>
    /// <param name="options">Its topic, name and settings.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException">As for <see cref="CreateSubscriptionAsync(string, string, CancellationToken)"/>.</exception>
    public virtual Task<SubscriptionProperties> CreateSubscriptionAsync(CreateSubscriptionOptions options, CancellationToken cancellationToken = default) =>
        CreateSubscriptionCoreAsync(options, null, cancellationToken);

    /// <summary>Creates a subscription whose only rule is <paramref name="rule"/>.</summary>
    /// <param name="options">Its topic, name and settings.</param>
    /// <param name="rule">The first rule, instead of the match-all default.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException">As for <see cref="CreateSubscriptionAsync(string, string, CancellationToken)"/>, and <see cref="LoireErrorReason.InvalidArgument"/> for a malformed filter.</exception>
    public virtual Task<SubscriptionProperties> CreateSubscriptionAsync(CreateSubscriptionOptions options, CreateRuleOptions rule, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return CreateSubscriptionCoreAsync(options, rule, cancellationToken);
    }

    /// <summary>Gets a subscription's settings.</summary>
    /// <param name="topicName">The topic's path.</param>
    /// <param name="subscriptionName">The subscription's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessagingEntityNotFound"/>.</exception>
    public virtual async Task<SubscriptionProperties> GetSubscriptionAsync(string topicName, string subscriptionName, CancellationToken cancellationToken = default)
    {
        var path = ValidateSubscription(topicName, subscriptionName);
        return new SubscriptionProperties(await GetAsync(path, EntityKind.Subscription, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Whether the subscription exists.</summary>
    /// <param name="topicName">The topic's path.</param>
    /// <param name="subscriptionName">The subscription's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public virtual async Task<bool> SubscriptionExistsAsync(string topicName, string subscriptionName, CancellationToken cancellationToken = default)
    {
        var path = ValidateSubscription(topicName, subscriptionName);
        return await FindAsync(path, EntityKind.Subscription, cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <summary>Deletes a subscription and its messages.</summary>
    /// <param name="topicName">The topic's path.</param>
    /// <param name="subscriptionName">The subscription's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessagingEntityNotFound"/>.</exception>
    public virtual async Task DeleteSubscriptionAsync(string topicName, string subscriptionName, CancellationToken cancellationToken = default)
    {
        var path = ValidateSubscription(topicName, subscriptionName);
        await Executor.ExecuteAsync("delete subscription", path, RetryKind.WhenNotExecuted,
            (grains, ct) => new ValueTask(grains.Topic(topicName).DeleteSubscriptionAsync(subscriptionName, ct)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lists the subscriptions of a topic.</summary>
    /// <param name="topicName">The topic's path.</param>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessagingEntityNotFound"/> (no such topic), on enumeration.</exception>
    public virtual async IAsyncEnumerable<SubscriptionProperties> GetSubscriptionsAsync(string topicName, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        EntityPath.ValidateQueueOrTopic(topicName);
        var subscriptions = await Executor.ExecuteAsync("get subscriptions", topicName, RetryKind.Idempotent,
            (grains, ct) => new ValueTask<EntityDescription[]>(grains.Topic(topicName).GetSubscriptionsAsync(ct)), cancellationToken).ConfigureAwait(false);
        foreach (var description in subscriptions.OrderBy(d => d.Path, StringComparer.Ordinal))
        {
            yield return new SubscriptionProperties(description);
        }
    }

    /// <summary>
    /// Replaces a subscription's settings with <paramref name="options"/>, as <see cref="UpdateQueueAsync"/> does for a
    /// queue; its rules stay (they change with the rule methods).
    /// </summary>
    /// <param name="options">The subscription's topic, name and new settings.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The subscription as the broker stored it.</returns>
    /// <exception cref="LoireException">
    /// <see cref="LoireErrorReason.InvalidArgument"/> (nothing changed) or <see cref="LoireErrorReason.MessagingEntityNotFound"/>.
    /// </exception>
    public virtual async Task<SubscriptionProperties> UpdateSubscriptionAsync(CreateSubscriptionOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var entityOptions = options.ToEntityOptions();
        var topic = options.TopicName;
        var name = options.SubscriptionName;
        var path = EntityPath.Subscription(topic, name);
        var updated = await Executor.ExecuteAsync("update subscription", path, RetryKind.Idempotent,
            (grains, ct) => new ValueTask<EntityDescription>(grains.Topic(topic).UpdateSubscriptionAsync(name, entityOptions, ct)),
            cancellationToken).ConfigureAwait(false);
        return new SubscriptionProperties(updated);
    }

    /// <summary>Gets a subscription's live counts (active, dead-lettered, deferred messages).</summary>
    /// <param name="topicName">The topic's path.</param>
    /// <param name="subscriptionName">The subscription's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessagingEntityNotFound"/>.</exception>
    public virtual async Task<SubscriptionRuntimeProperties> GetSubscriptionRuntimePropertiesAsync(string topicName, string subscriptionName, CancellationToken cancellationToken = default)
    {
        var path = ValidateSubscription(topicName, subscriptionName);
        var info = await Executor.ExecuteAsync("get subscription runtime properties", path, RetryKind.Idempotent,
            (grains, ct) => new ValueTask<EntityRuntimeInfo>(grains.Queue(path).GetRuntimeInfoAsync(ct)), cancellationToken).ConfigureAwait(false);
        return new SubscriptionRuntimeProperties(info);
    }

    private async Task<SubscriptionProperties> CreateSubscriptionCoreAsync(CreateSubscriptionOptions options, CreateRuleOptions? rule, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var entityOptions = options.ToEntityOptions();
        var topic = options.TopicName;
        var name = options.SubscriptionName;
        var path = EntityPath.Subscription(topic, name);
        var ruleDescription = rule?.ToDescription(path);
        var created = await Executor.ExecuteAsync("create subscription", path, RetryKind.WhenNotExecuted,
            (grains, ct) => new ValueTask<EntityDescription>(grains.Topic(topic).CreateSubscriptionAsync(name, entityOptions, ruleDescription, ct)),
            cancellationToken).ConfigureAwait(false);
        return new SubscriptionProperties(created);
    }

    /// <summary>Validates the names and returns the subscription's path.</summary>
    private static string ValidateSubscription(string topicName, string subscriptionName)
    {
        EntityPath.ValidateQueueOrTopic(topicName);
        Validation.ValidateSubscriptionName(subscriptionName, topicName);
        return EntityPath.Subscription(topicName, subscriptionName);
    }
}
