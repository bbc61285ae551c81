using Loire.Client.Internal;
using Loire.Entities;
using Loire.Security;

namespace Loire.Client.Administration;

public partial class LoireAdministrationClient
{
    /// <summary>
    /// Adds a shared access rule to a queue or topic: tokens signed with its keys get its rights on that entity (a
    /// topic's rules also cover its subscriptions). Needs Manage on the entity.
    /// </summary>
    /// <param name="entityPath">The queue's or topic's path.</param>
    /// <param name="rule">The rule: key name, primary and optional secondary key (at least 32 characters each), rights.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException">
    /// <see cref="LoireErrorReason.MessagingEntityNotFound"/>, <see cref="LoireErrorReason.MessagingEntityAlreadyExists"/>
    /// (a rule of that name exists), <see cref="LoireErrorReason.InvalidArgument"/> (malformed rule, a subscription) or
    /// <see cref="LoireErrorReason.QuotaExceeded"/> (12 rules already).
    /// </exception>
    public virtual Task CreateAuthorizationRuleAsync(string entityPath, SharedAccessAuthorizationRule rule, CancellationToken cancellationToken = default) =>
        PutAuthorizationRuleAsync(entityPath, rule, replace: false, cancellationToken);

    /// <summary>
    /// Replaces a queue's or topic's shared access rule of the same key name, e.g. to rotate its keys: put the new key
    /// in as secondary, move clients to it, then make it primary. Tokens signed with either key are accepted at once.
    /// </summary>
    /// <param name="entityPath">The queue's or topic's path.</param>
    /// <param name="rule">The rule's new version.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessagingEntityNotFound"/> (no such entity or rule) or <see cref="LoireErrorReason.InvalidArgument"/>.</exception>
    public virtual Task UpdateAuthorizationRuleAsync(string entityPath, SharedAccessAuthorizationRule rule, CancellationToken cancellationToken = default) =>
        PutAuthorizationRuleAsync(entityPath, rule, replace: true, cancellationToken);

    /// <summary>A queue's or topic's shared access rules, keys included. Needs Manage on the entity.</summary>
    /// <param name="entityPath">The queue's or topic's path.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessagingEntityNotFound"/>.</exception>
    public virtual async Task<IReadOnlyList<SharedAccessAuthorizationRule>> GetAuthorizationRulesAsync(string entityPath, CancellationToken cancellationToken = default)
    {
        var kind = await GetRuleOwnerKindAsync(entityPath, cancellationToken).ConfigureAwait(false);
        return await Executor.ExecuteAsync("get authorization rules", entityPath, RetryKind.Idempotent,
            (grains, ct) => new ValueTask<SharedAccessAuthorizationRule[]>(grains.Entity(kind, entityPath).GetAccessRulesAsync(ct)),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes a queue's or topic's shared access rule; its tokens stop working.</summary>
    /// <param name="entityPath">The queue's or topic's path.</param>
    /// <param name="keyName">The rule's key name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessagingEntityNotFound"/> (no such entity or rule).</exception>
    public virtual async Task DeleteAuthorizationRuleAsync(string entityPath, string keyName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyName);
        var kind = await GetRuleOwnerKindAsync(entityPath, cancellationToken).ConfigureAwait(false);
        await Executor.ExecuteAsync("delete authorization rule", entityPath, RetryKind.WhenNotExecuted,
            (grains, ct) => new ValueTask(grains.Entity(kind, entityPath).DeleteAccessRuleAsync(keyName, ct)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Replaces one key of a queue's or topic's shared access rule with a new random 256-bit key made on the silo, as
    /// Service Bus's "regenerate key": tokens signed with the replaced key are refused from then on, those signed with
    /// the rule's other key keep working. Needs Manage on the entity; audited like other rule changes.
    /// </summary>
    /// <param name="entityPath">The queue's or topic's path.</param>
    /// <param name="keyName">The rule's key name.</param>
    /// <param name="keyType">Which key to replace (a rule without a secondary key gets one).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The rule with its new key.</returns>
    /// <exception cref="LoireException"><see cref="LoireErrorReason.MessagingEntityNotFound"/> (no such entity or rule; nothing changes) or <see cref="LoireErrorReason.InvalidArgument"/>.</exception>
    public virtual async Task<SharedAccessAuthorizationRule> RegenerateAccessRuleKeyAsync(string entityPath, string keyName, AccessKeyType keyType, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyName);
        if (!Enum.IsDefined(keyType))
        {
            throw new LoireException(LoireErrorReason.InvalidArgument, $"Unknown key type {keyType}: PrimaryKey or SecondaryKey.", entityPath);
        }

        var kind = await GetRuleOwnerKindAsync(entityPath, cancellationToken).ConfigureAwait(false);
        return await Executor.ExecuteAsync("regenerate authorization rule key", entityPath, RetryKind.WhenNotExecuted,
            (grains, ct) => new ValueTask<SharedAccessAuthorizationRule>(grains.Entity(kind, entityPath).RegenerateAccessRuleKeyAsync(keyName, keyType, ct)),
            cancellationToken).ConfigureAwait(false);
    }

    private async Task PutAuthorizationRuleAsync(string entityPath, SharedAccessAuthorizationRule rule, bool replace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        rule.Validate(entityPath);
        var kind = await GetRuleOwnerKindAsync(entityPath, cancellationToken).ConfigureAwait(false);
        await Executor.ExecuteAsync(replace ? "update authorization rule" : "create authorization rule", entityPath, RetryKind.WhenNotExecuted,
            (grains, ct) => new ValueTask(grains.Entity(kind, entityPath).PutAccessRuleAsync(rule, replace, ct)), cancellationToken).ConfigureAwait(false);
    }

    private async Task<EntityKind> GetRuleOwnerKindAsync(string entityPath, CancellationToken cancellationToken)
    {
        EntityPath.ValidateQueueOrTopic(entityPath);
        var description = await Executor.ExecuteAsync("find entity", entityPath, RetryKind.Idempotent,
            (grains, ct) => new ValueTask<EntityDescription?>(grains.Catalog.FindAsync(entityPath, ct)), cancellationToken).ConfigureAwait(false);
        return description?.Kind ?? throw new LoireException(LoireErrorReason.MessagingEntityNotFound, $"No queue or topic named '{entityPath}' exists.", entityPath);
    }
}
