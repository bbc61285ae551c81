using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loire.Cli.Infrastructure;
using Loire.Client;
using Loire.Security;

namespace Loire.Cli.Commands.AccessRules;

/// <summary>
/// Writes a new key into a namespace rules file (<c>{ "rules": [ { "keyName", "primaryKey", "secondaryKey", "rights" } ] }</c>)
/// safely: the new document goes to a temporary file next to it, with the same permissions, which is then renamed over
/// the original, so a silo polling the file reads either the old rules or the new ones, never half a file.
/// </summary>
internal static class RulesFileKeys
{
    private static readonly JsonNodeOptions s_nodes = new() { PropertyNameCaseInsensitive = true };
    private static readonly JsonDocumentOptions s_document = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
    private static readonly JsonSerializerOptions s_write = new() { WriteIndented = true };

    /// <summary>Replaces one key of the rule named <paramref name="keyName"/> with a new random 256-bit key, which it returns.</summary>
    public static string Regenerate(string path, string keyName, AccessKeyType keyType)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path), s_nodes, s_document);
        }
        catch (JsonException exception)
        {
            // The reader's message names a position, not the content: no key is quoted.
            throw new CliUsageException($"'{path}' is not a rules document: {exception.Message}", exception);
        }

        var entry = (root?["rules"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(r => Text(r, "keyName") == keyName)
            ?? throw new LoireException(LoireErrorReason.MessagingEntityNotFound, $"'{path}' has no rule with key name '{keyName}'.");
        var property = keyType == AccessKeyType.PrimaryKey ? "primaryKey" : "secondaryKey";
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        // Keep the file's own spelling of the property, whatever its case.
        entry[entry.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, property, StringComparison.OrdinalIgnoreCase)) ?? property] = key;

        var temporary = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllText(temporary, root!.ToJsonString(s_write) + Environment.NewLine);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, File.GetUnixFileMode(path));
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }

        return key;
    }

    private static string? Text(JsonObject entry, string property) =>
        entry[property] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
