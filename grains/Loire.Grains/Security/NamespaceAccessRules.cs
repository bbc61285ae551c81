using System.Collections.Frozen;
using Loire.Security;

namespace Loire.Grains.Security;

/// <summary>
/// The namespace-level shared access rules of this silo, replaceable at run time (the silo re-reads its rules file),
/// and whether authorisation is on at all. It is on as soon as namespace rules were configured at start, and stays on
/// for the life of the silo even if a later version of the rules is empty: a bad edit must not open the broker.
/// </summary>
public sealed class NamespaceAccessRules
{
    private volatile FrozenDictionary<string, SharedAccessAuthorizationRule> _rules;

    /// <summary>Authorisation off: every call is allowed (the embedded single-node default).</summary>
    public NamespaceAccessRules()
    {
        _rules = FrozenDictionary<string, SharedAccessAuthorizationRule>.Empty;
    }

    /// <summary>Authorisation on, with <paramref name="rules"/> (validated; key names unique).</summary>
    public NamespaceAccessRules(IEnumerable<SharedAccessAuthorizationRule> rules)
    {
        _rules = Freeze(rules);
        Enabled = true;
    }

    /// <summary>True when every client call and HTTP request must carry a valid token.</summary>
    public bool Enabled { get; }

    /// <summary>The rules now in force.</summary>
    public IReadOnlyCollection<SharedAccessAuthorizationRule> Current => _rules.Values;

    /// <summary>The rule named <paramref name="keyName"/>, if any.</summary>
    public bool TryGet(string keyName, out SharedAccessAuthorizationRule rule) =>
        _rules.TryGetValue(keyName, out rule!);

    /// <summary>Puts <paramref name="rules"/> in force at once (a key rotation); throws <see cref="ArgumentException"/> and keeps the old ones if they are invalid.</summary>
    public void Replace(IEnumerable<SharedAccessAuthorizationRule> rules) => _rules = Freeze(rules);

    private static FrozenDictionary<string, SharedAccessAuthorizationRule> Freeze(IEnumerable<SharedAccessAuthorizationRule> rules)
    {
        var byName = new Dictionary<string, SharedAccessAuthorizationRule>(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            if (rule.GetError() is { } error)
            {
                throw new ArgumentException(error, nameof(rules));
            }

            if (!byName.TryAdd(rule.KeyName, rule))
            {
                throw new ArgumentException($"Shared access key name '{rule.KeyName}' is used by more than one rule.", nameof(rules));
            }
        }

        return byName.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
