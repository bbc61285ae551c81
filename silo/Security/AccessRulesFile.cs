using System.Text.Json;
using System.Text.Json.Serialization;
using Loire.Security;
using Loire.Silo.Configuration;

namespace Loire.Silo.Security;

/// <summary>
/// The namespace's shared access rules file (<c>--access-rules</c>):
/// <c>{ "rules": [ { "keyName": "root", "primaryKey": "...", "secondaryKey": "...", "rights": ["Manage"] } ] }</c>.
/// Rights are Manage, Send and Listen (Manage implies the others); the secondary key is optional.
/// </summary>
public static class AccessRulesFile
{
    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>The rules in <paramref name="path"/>; <see cref="SiloConfigurationException"/> lists what is wrong (never a key).</summary>
    public static IReadOnlyList<SharedAccessAuthorizationRule> Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Invalid(path, $"cannot be read: {e.Message}");
        }

        FileDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<FileDocument>(text, s_json);
        }
        catch (JsonException e)
        {
            // The reader's message names a position, not the content, so no key leaks into the log.
            throw Invalid(path, $"is not a rules document: {e.Message}");
        }

        if (document?.Rules is not { Count: > 0 } entries)
        {
            throw Invalid(path, "has no rules (expected { \"rules\": [ { \"keyName\", \"primaryKey\", \"rights\" } ] })");
        }

        var errors = new List<string>();
        var rules = new List<SharedAccessAuthorizationRule>();
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i].ToRule(out var error) is not { } rule)
            {
                errors.Add($"rule {i + 1}: {error}");
            }
            else if (rules.Any(r => r.KeyName == rule.KeyName))
            {
                errors.Add($"rule {i + 1}: key name '{rule.KeyName}' is used twice");
            }
            else
            {
                rules.Add(rule);
            }
        }

        return errors.Count == 0 ? rules : throw new SiloConfigurationException([.. errors.Select(e => $"{SiloSettings.AccessRules.DisplayName} '{path}' {e}")]);
    }

    private static SiloConfigurationException Invalid(string path, string problem) =>
        new([$"{SiloSettings.AccessRules.DisplayName} '{path}' {problem}"]);

    private sealed class FileDocument
    {
        public List<AccessRuleDto>? Rules { get; set; }
    }
}
