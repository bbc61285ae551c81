using System.Collections.Immutable;
using System.Security.Cryptography;
using Loire.Client;
using Loire.Grains.Persistence;
using Loire.Partitions;
using Loire.Security;

namespace Loire.Grains.Security;

/// <summary>Changes to an entity's shared access rules, the same for queues and topics.</summary>
internal static class EntityAccessRules
{
    /// <summary>The document with <paramref name="rule"/> added, or replacing the rule of the same key name.</summary>
    public static EntityDocument Put(EntityDocument document, SharedAccessAuthorizationRule rule, bool replace)
    {
        var path = RequireRuleOwner(document);
        ArgumentNullException.ThrowIfNull(rule);
        rule.Validate(path);
        var index = IndexOf(document.AccessRules, rule.KeyName);
        if (replace && index < 0)
        {
            throw new LoireException(LoireErrorReason.MessagingEntityNotFound, $"No shared access rule '{rule.KeyName}' on '{path}'.", path);
        }

        if (!replace && index >= 0)
        {
            throw new LoireException(LoireErrorReason.MessagingEntityAlreadyExists, $"Shared access rule '{rule.KeyName}' already exists on '{path}'.", path);
        }

        if (!replace && document.AccessRules.Length >= SharedAccessAuthorizationRule.MaxRulesPerEntity)
        {
            throw new LoireException(LoireErrorReason.QuotaExceeded,
                $"'{path}' already has {SharedAccessAuthorizationRule.MaxRulesPerEntity} shared access rules, the most an entity may hold.", path);
        }

        var rules = replace ? document.AccessRules.SetItem(index, rule) : document.AccessRules.Add(rule);
        return document with { AccessRules = rules };
    }

    /// <summary>The document without the rule named <paramref name="keyName"/>.</summary>
    public static EntityDocument Delete(EntityDocument document, string keyName)
    {
        var path = RequireRuleOwner(document);
        var index = IndexOf(document.AccessRules, keyName);
        return index >= 0
            ? document with { AccessRules = document.AccessRules.RemoveAt(index) }
            : throw new LoireException(LoireErrorReason.MessagingEntityNotFound, $"No shared access rule '{keyName}' on '{path}'.", path);
    }

    /// <summary>
    /// The document with one key of the rule named <paramref name="keyName"/> replaced by a new random 256-bit key
    /// (base64, from the system's cryptographic generator), and that rule as it is then.
    /// </summary>
    public static (EntityDocument Document, SharedAccessAuthorizationRule Rule) RegenerateKey(EntityDocument document, string keyName, AccessKeyType keyType)
    {
        var path = RequireRuleOwner(document);
        if (!Enum.IsDefined(keyType))
        {
            throw new LoireException(LoireErrorReason.InvalidArgument, $"Unknown key type {keyType}: PrimaryKey or SecondaryKey.", path);
        }

        var index = IndexOf(document.AccessRules, keyName);
        if (index < 0)
        {
            throw new LoireException(LoireErrorReason.MessagingEntityNotFound, $"No shared access rule '{keyName}' on '{path}'.", path);
        }

        var rule = document.AccessRules[index];
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        rule = keyType == AccessKeyType.PrimaryKey ? rule with { PrimaryKey = key } : rule with { SecondaryKey = key };
        return (document with { AccessRules = document.AccessRules.SetItem(index, rule) }, rule);
    }

    private static int IndexOf(ImmutableArray<SharedAccessAuthorizationRule> rules, string? keyName)
    {
        for (var i = 0; i < rules.Length; i++)
        {
            if (string.Equals(rules[i].KeyName, keyName, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Rules live on a queue or topic (partition 0), as in Service Bus; a subscription uses its topic's.</summary>
    private static string RequireRuleOwner(EntityDocument document)
    {
        var description = document.Description;
        if (description.Kind == Entities.EntityKind.Subscription)
        {
            throw new LoireException(LoireErrorReason.InvalidArgument,
                "Shared access rules belong to queues and topics; a subscription uses its topic's.", description.Path);
        }

        if (EntityPartitions.IsPartitionPath(description.Path))
        {
            throw new LoireException(LoireErrorReason.InvalidArgument, "Shared access rules belong to the entity, not to one of its partitions.", description.Path);
        }

        return description.Path;
    }
}
