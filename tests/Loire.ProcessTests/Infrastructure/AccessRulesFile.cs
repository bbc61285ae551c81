using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Loire.Security;

namespace Loire.ProcessTests.Infrastructure;

/// <summary>A silo's <c>--access-rules</c> file, written as a secret volume updates, and tokens for its rules.</summary>
internal static class AccessRulesFile
{
    public static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>A namespace-wide token of rule <paramref name="keyName"/>, valid for ten minutes.</summary>
    public static string Token(string keyName, string key) =>
        SharedAccessSignature.Create(keyName, key, "", DateTimeOffset.UtcNow.AddMinutes(10));

    public static void Write(string path, params (string Name, string Primary, string? Secondary, string Rights)[] rules)
    {
        var array = new JsonArray();
        foreach (var (name, primary, secondary, rights) in rules)
        {
            array.Add(new JsonObject { ["keyName"] = name, ["primaryKey"] = primary, ["secondaryKey"] = secondary, ["rights"] = new JsonArray(rights) });
        }

        // Written beside and moved in, so the silo never reads half a file.
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, new JsonObject { ["rules"] = array }.ToJsonString());
        File.Move(temporary, path, overwrite: true);
    }
}
