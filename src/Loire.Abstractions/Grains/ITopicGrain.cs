using Loire.Entities;
using Loire.Messages;
using Loire.Security;

namespace Loire.Grains;

/// <summary>
/// One topic (or one partition of a partitioned topic): routes each published message to every subscription whose rules
/// match. Key: the topic path (partition 0), or the partition's path (see Loire.Partitions.EntityPartitions).
/// </summary>
[Alias("loire.ITopicGrain")]
public interface ITopicGrain : IEntityGrain
{
    /// <summary>Creates a subscription with one rule (the match-all default when null).</summary>
    [RequiresRights(AccessRights.Manage)]
    [Alias("CreateSubscription")]
    Task<EntityDescription> CreateSubscriptionAsync(string name, EntityOptions options, RuleDescription? rule, CancellationToken cancellationToken = default);

    /// <summary>Replaces a subscription's settings (as <see cref="IEntityGrain.UpdateAsync"/>), capped by the topic's size as at creation.</summary>
    [RequiresRights(AccessRights.Manage)]
    [Alias("UpdateSubscription")]
    Task<EntityDescription> UpdateSubscriptionAsync(string name, EntityOptions options, CancellationToken cancellationToken = default);

    /// <summary>Deletes a subscription and its messages.</summary>
    [RequiresRights(AccessRights.Manage)]
    [Alias("DeleteSubscription")]
    Task DeleteSubscriptionAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>The topic's subscriptions.</summary>
    [RequiresRights(AccessRights.Manage)]
    [Alias("GetSubscriptions")]
    Task<EntityDescription[]> GetSubscriptionsAsync(CancellationToken cancellationToken = default);

    /// <summary>Adds a rule to a subscription; InvalidArgument if the filter is malformed.</summary>
    [RequiresRights(AccessRights.Manage)]
    [Alias("CreateRule")]
    Task CreateRuleAsync(string subscription, RuleDescription rule, CancellationToken cancellationToken = default);

    /// <summary>Removes a rule from a subscription.</summary>
    [RequiresRights(AccessRights.Manage)]
    [Alias("DeleteRule")]
    Task DeleteRuleAsync(string subscription, string ruleName, CancellationToken cancellationToken = default);

    /// <summary>Reloads the subscriptions and their rules from the store; partition 0 of a partitioned topic tells the others after a change.</summary>
    [SiloInternal]
    [Alias("ReloadSubscriptions")]
    Task ReloadSubscriptionsAsync(CancellationToken cancellationToken = default);
}
