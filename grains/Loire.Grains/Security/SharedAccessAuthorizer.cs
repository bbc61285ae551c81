using System.Collections.Immutable;
using Loire.Security;

namespace Loire.Grains.Security;

/// <summary>
/// Checks a shared access signature for an operation on an entity: well formed, not expired, scoped to the entity,
/// signed with the primary or secondary key of a known rule (a namespace rule, or one of the entity's own), and that
/// rule grants one of the rights the operation needs. Rights come only from the verified rule, never from the caller.
/// </summary>
public sealed class SharedAccessAuthorizer
{
    private readonly NamespaceAccessRules _namespaceRules;
    private readonly EntityAccessRuleCache _entityRules;
    private readonly TimeProvider _time;

    internal SharedAccessAuthorizer(NamespaceAccessRules namespaceRules, EntityAccessRuleCache entityRules, TimeProvider time)
    {
        _namespaceRules = namespaceRules;
        _entityRules = entityRules;
        _time = time;
    }

    /// <summary>True when tokens are checked at all.</summary>
    public bool Enabled => _namespaceRules.Enabled;

    /// <summary>Decides whether <paramref name="token"/> allows an operation needing any of <paramref name="anyOf"/>.</summary>
    /// <param name="token">The presented token (<c>SharedAccessSignature sr=...</c>), or null.</param>
    /// <param name="entityPath">The entity addressed, or null for a namespace-wide operation.</param>
    /// <param name="anyOf">The rights of which one suffices.</param>
    /// <param name="cancellationToken">Cancels reading entity rules from the catalog.</param>
    public ValueTask<AccessDecision> AuthorizeAsync(string? token, string? entityPath, AccessRights anyOf, CancellationToken cancellationToken = default) =>
        AuthorizeAsync(token, entityPath, anyOf, owner: null, cancellationToken);

    internal async ValueTask<AccessDecision> AuthorizeAsync(
        string? token, string? entityPath, AccessRights anyOf, (string Path, ImmutableArray<SharedAccessAuthorizationRule> Rules)? owner,
        CancellationToken cancellationToken)
    {
        var signature = SharedAccessSignature.TryParse(token, out var error);
        if (signature is null)
        {
            return AccessDecision.Refuse(AccessDecision.Anonymous, error!);
        }

        var who = signature.KeyName;
        if (signature.ExpiresAt <= _time.GetUtcNow())
        {
            return AccessDecision.Refuse(who, $"the token expired at {signature.ExpiresAt:O}");
        }

        if (!signature.Covers(entityPath))
        {
            return AccessDecision.Refuse(who, entityPath is null
                ? $"the token is scoped to '{signature.Scope}'; this operation needs a namespace-wide token"
                : $"the token is scoped to '{signature.Scope}', not '{entityPath}'");
        }

        SharedAccessAuthorizationRule? rule = null;
        if (_namespaceRules.TryGet(who, out var namespaceRule))
        {
            rule = namespaceRule;
        }
        else if (entityPath is not null)
        {
            rule = await FindEntityRuleAsync(signature, AccessTarget.RuleOwnerOf(entityPath), owner, cancellationToken);
        }

        if (rule is null)
        {
            return AccessDecision.Refuse(who, $"no rule named '{who}' applies here");
        }

        if (!IsSignedByRule(signature, rule))
        {
            return AccessDecision.Refuse(who, "the signature matches neither key of the rule");
        }

        return rule.Rights.GrantsAny(anyOf)
            ? AccessDecision.Allow(who)
            : AccessDecision.Refuse(who, $"rule '{who}' grants {rule.Rights}; the operation needs {anyOf}");
    }

    private async ValueTask<SharedAccessAuthorizationRule?> FindEntityRuleAsync(
        SharedAccessSignature signature, string ruleOwner, (string Path, ImmutableArray<SharedAccessAuthorizationRule> Rules)? owner,
        CancellationToken cancellationToken)
    {
        if (owner is { } own && own.Path == ruleOwner)
        {
            return Find(own.Rules, signature.KeyName);
        }

        var rule = Find(await _entityRules.GetAsync(ruleOwner, stale: false, cancellationToken), signature.KeyName);
        if (rule is not null && IsSignedByRule(signature, rule))
        {
            return rule;
        }

        // A rule or key added on another silo since this one last read the entity.
        return Find(await _entityRules.GetAsync(ruleOwner, stale: true, cancellationToken), signature.KeyName);
    }

    private static SharedAccessAuthorizationRule? Find(ImmutableArray<SharedAccessAuthorizationRule> rules, string keyName)
    {
        foreach (var rule in rules)
        {
            if (string.Equals(rule.KeyName, keyName, StringComparison.Ordinal))
            {
                return rule;
            }
        }

        return null;
    }

    private static bool IsSignedByRule(SharedAccessSignature signature, SharedAccessAuthorizationRule rule) =>
        signature.IsSignedWith(rule.PrimaryKey) | signature.IsSignedWith(rule.SecondaryKey);
}
