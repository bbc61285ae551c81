using System.CommandLine;
using Loire.Cli.Infrastructure;
using Loire.Security;

namespace Loire.Cli.Commands.AccessRules;

/// <summary>
/// <c>loire access-rule regenerate KEYNAME --key-type primary|secondary (--entity PATH | --rules-file FILE)</c>: a new
/// random key for one slot of a rule. An entity's rule changes on the broker (the silo makes the key; Manage rights);
/// a namespace rule changes in the rules file the silos poll, rewritten here in one rename (no broker is contacted).
/// Prints the new key.
/// </summary>
internal static class AccessRuleRegenerateCommand
{
    public static Command Create(CliContext context)
    {
        var keyName = new Argument<string>("keyName") { Description = "The rule's key name" };
        var keyType = new Option<string>("--key-type") { Description = "Which key to replace: primary or secondary", Required = true };
        keyType.AcceptOnlyFromAmong("primary", "secondary");
        var entity = new Option<string?>("--entity") { Description = "The queue or topic holding the rule" };
        var rulesFile = new Option<string?>("--rules-file") { Description = "The namespace's rules file (the silos' --access-rules) holding the rule" };
        var command = new Command("regenerate", "Replace one key of a shared access rule with a new random one") { keyName, keyType, entity, rulesFile };
        context.SetBrokerAction(command, async run =>
        {
            var type = run.Get(keyType) == "primary" ? AccessKeyType.PrimaryKey : AccessKeyType.SecondaryKey;
            var (path, file) = (run.Get(entity), run.Get(rulesFile));
            if ((path is null) == (file is null))
            {
                throw new CliUsageException("Give exactly one of --entity (an entity's rule) and --rules-file (a namespace rule).");
            }

            string key;
            if (file is not null)
            {
                key = RulesFileKeys.Regenerate(file, run.Get(keyName), type);
            }
            else
            {
                var admin = await run.AdminAsync().ConfigureAwait(false);
                var rule = await admin.RegenerateAccessRuleKeyAsync(path!, run.Get(keyName), type, run.CancellationToken).ConfigureAwait(false);
                key = (type == AccessKeyType.PrimaryKey ? rule.PrimaryKey : rule.SecondaryKey)!;
            }

            run.Output.WriteOutcome(key, new { keyName = run.Get(keyName), keyType = type.ToString(), key, entity = path, rulesFile = file });
        });
        return command;
    }
}
