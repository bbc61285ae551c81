using Loire.Entities;
using Loire.Messages;
using Loire.Security;

namespace Loire.Grains;

/// <summary>
/// What queue and topic grains (and their partitions) have in common: lifecycle, sends, scheduled-message
/// cancellation and counts. Callers that only know an entity's kind get one with <see cref="EntityGrains.Get"/>.
/// </summary>
[Alias("loire.IEntityGrain")]
public interface IEntityGrain : IGrainWithStringKey
{
    /// <summary>Creates the entity; MessagingEntityAlreadyExists if the path is taken.</summary>
    [RequiresRights(AccessRights.Manage)]
    [Alias("Create")]
    Task CreateAsync(EntityDescription description, CancellationToken cancellationToken = default);

    /// <summary>The entity's description; MessagingEntityNotFound if it does not exist.</summary>
    [RequiresRights(AccessRights.Send | AccessRights.Listen)]
    [Alias("GetDescription")]
    Task<EntityDescription> GetDescriptionAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the entity's settings, durably and in the live activation (partition 0: on every partition); returns
    /// the new description. InvalidArgument (nothing changed) for an invalid value or a change of a setting fixed at
    /// creation. A subscription's settings change through its topic (<see cref="ITopicGrain.UpdateSubscriptionAsync"/>).
    /// </summary>
    [RequiresRights(AccessRights.Manage)]
    [Alias("Update")]
    Task<EntityDescription> UpdateAsync(EntityOptions options, CancellationToken cancellationToken = default);

    /// <summary>Deletes the entity and every message it holds (a topic: with all its subscriptions).</summary>
    [RequiresRights(AccessRights.Manage)]
    [Alias("Delete")]
    Task DeleteAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores messages as one durable batch (a topic: in every matching subscription) and returns their sequence
    /// numbers; a subscription refuses sends.
    /// </summary>
    [RequiresRights(AccessRights.Send)]
    [Alias("Send")]
    ValueTask<long[]> SendAsync(OutgoingMessage[] messages, CancellationToken cancellationToken = default);

    /// <summary>Removes scheduled messages that are not yet visible (a topic: in every subscription); unknown numbers are ignored.</summary>
    [RequiresRights(AccessRights.Send)]
    [Alias("CancelScheduled")]
    Task CancelScheduledAsync(long[] sequenceNumbers, CancellationToken cancellationToken = default);

    /// <summary>Live counts (partition 0 of a partitioned entity: summed over its partitions).</summary>
    [RequiresRights(AccessRights.Manage)]
    [Alias("GetRuntimeInfo")]
    Task<EntityRuntimeInfo> GetRuntimeInfoAsync(CancellationToken cancellationToken = default);

    /// <summary>The entity's shared access rules (queues and topics), keys included.</summary>
    [RequiresRights(AccessRights.Manage)]
    [Alias("GetAccessRules")]
    Task<SharedAccessAuthorizationRule[]> GetAccessRulesAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds a shared access rule (<paramref name="replace"/> false: MessagingEntityAlreadyExists if its key name is
    /// taken) or replaces one, e.g. to rotate its keys (<paramref name="replace"/> true: MessagingEntityNotFound if absent).
    /// </summary>
    [RequiresRights(AccessRights.Manage)]
    [Alias("PutAccessRule")]
    Task PutAccessRuleAsync(SharedAccessAuthorizationRule rule, bool replace, CancellationToken cancellationToken = default);

    /// <summary>Removes a shared access rule; MessagingEntityNotFound if there is none with that key name.</summary>
    [RequiresRights(AccessRights.Manage)]
    [Alias("DeleteAccessRule")]
    Task DeleteAccessRuleAsync(string keyName, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces one key of a shared access rule with a new random 256-bit key, made here; returns the rule as it is now.
    /// Tokens signed with the replaced key stop working, those signed with the other key keep working.
    /// MessagingEntityNotFound if there is no rule with that key name.
    /// </summary>
    [RequiresRights(AccessRights.Manage)]
    [Alias("RegenerateAccessRuleKey")]
    Task<SharedAccessAuthorizationRule> RegenerateAccessRuleKeyAsync(string keyName, AccessKeyType keyType, CancellationToken cancellationToken = default);
}
