using System.Text.Json.Nodes;
using Loire.Cli.Tests.Infrastructure;
using Loire.Client;
using Loire.Security;

namespace Loire.Cli.Tests;

/// <summary><c>loire access-rule regenerate</c>: an entity's rule on the broker, a namespace rule in its rules file.</summary>
[Collection(SiloCollection.Name)]
public sealed class AccessRuleCommandTests(SiloFixture silo)
{
    private static readonly string s_primary = Convert.ToBase64String(new byte[32]);
    private static readonly string s_secondary = Convert.ToBase64String(Enumerable.Repeat((byte)1, 32).ToArray());

    private readonly CliRunner _cli = new(silo.Gateway);

    [Fact]
    public async Task RegeneratesOneKeyOfAnEntityRuleOnTheBrokerAndPrintsIt()
    {
        var queue = EntityNames.For();
        await using var client = new LoireClient(silo.Gateway);
        var admin = client.CreateAdministrationClient();
        await admin.CreateQueueAsync(queue);
        await admin.CreateAuthorizationRuleAsync(queue, new("app", s_primary, s_secondary, AccessRights.Send));

        var result = await _cli.ExpectAsync(0, "access-rule", "regenerate", "app", "--key-type", "secondary", "--entity", queue);
        var missing = await _cli.ExpectAsync(2, "access-rule", "regenerate", "nobody", "--key-type", "secondary", "--entity", queue);

        var rule = Assert.Single(await admin.GetAuthorizationRulesAsync(queue));
        Assert.Equal(new SharedAccessAuthorizationRule("app", s_primary, result.Out.Trim(), AccessRights.Send), rule);
        Assert.Equal(32, Convert.FromBase64String(rule.SecondaryKey!).Length);
        Assert.Contains("nobody", missing.Error);
    }

    [Fact]
    public async Task RewritesANamespaceRuleInItsRulesFileAndLeavesTheRestAsItWas()
    {
        var folder = Directory.CreateTempSubdirectory("loire-rules-").FullName;
        try
        {
            var file = Path.Combine(folder, "rules.json");
            await File.WriteAllTextAsync(file, $$"""
                { "rules": [
                  // comments and trailing commas are read, as the silo reads them
                  { "keyName": "root", "primaryKey": "{{s_primary}}", "rights": ["Manage"] },
                  { "KeyName": "app", "PrimaryKey": "{{s_primary}}", "SecondaryKey": "{{s_secondary}}", "rights": ["Send"], },
                ] }
                """);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            var result = await _cli.ExpectAsync(0, "access-rule", "regenerate", "app", "--key-type", "primary", "--rules-file", file, "--json");
            var missing = await _cli.ExpectAsync(2, "access-rule", "regenerate", "nobody", "--key-type", "primary", "--rules-file", file);
            var both = await _cli.ExpectAsync(1, "access-rule", "regenerate", "app", "--key-type", "primary", "--rules-file", file, "--entity", "q");

            var key = result.Json().GetProperty("key").GetString()!;
            Assert.Equal(32, Convert.FromBase64String(key).Length);
            var rules = JsonNode.Parse(await File.ReadAllTextAsync(file))!["rules"]!.AsArray();
            Assert.Equal(s_primary, (string?)rules[0]!["primaryKey"]);
            Assert.Equal(key, (string?)rules[1]!["PrimaryKey"]);
            Assert.Equal(s_secondary, (string?)rules[1]!["SecondaryKey"]);
            Assert.Equal("Send", (string?)rules[1]!["rights"]![0]);
            Assert.Single(Directory.GetFiles(folder));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }

            Assert.Contains("nobody", missing.Error);
            Assert.Contains("exactly one", both.Error);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
