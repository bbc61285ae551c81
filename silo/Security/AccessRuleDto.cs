using Loire.Security;

namespace Loire.Silo.Security;

/// <summary>A shared access rule as JSON, in the rules file and the management API: rights are names (Manage, Send, Listen).</summary>
public sealed class AccessRuleDto
{
    public string? KeyName { get; set; }

    public string? PrimaryKey { get; set; }

    public string? SecondaryKey { get; set; }

    public List<string>? Rights { get; set; }

    public static AccessRuleDto From(SharedAccessAuthorizationRule rule) => new()
    {
        KeyName = rule.KeyName,
        PrimaryKey = rule.PrimaryKey,
        SecondaryKey = rule.SecondaryKey,
        Rights = [.. Enum.GetValues<AccessRights>().Where(r => r != AccessRights.None && rule.Rights.HasFlag(r)).Select(r => r.ToString())],
    };

    /// <summary>The rule, or null with <paramref name="error"/> saying what is wrong (never quoting a key).</summary>
    public SharedAccessAuthorizationRule? ToRule(out string? error)
    {
        var rights = AccessRights.None;
        foreach (var right in Rights ?? [])
        {
            if (!Enum.TryParse<AccessRights>(right, ignoreCase: true, out var parsed) || parsed == AccessRights.None || !Enum.IsDefined(parsed))
            {
                error = $"unknown right '{right}' (expected Manage, Send or Listen)";
                return null;
            }

            rights |= parsed;
        }

        var rule = new SharedAccessAuthorizationRule(KeyName ?? "", PrimaryKey ?? "", SecondaryKey, rights);
        error = rule.GetError();
        return error is null ? rule : null;
    }
}
