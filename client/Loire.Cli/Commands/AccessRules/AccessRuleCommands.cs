using System.CommandLine;
using Loire.Cli.Infrastructure;

namespace Loire.Cli.Commands.AccessRules;

/// <summary><c>loire access-rule regenerate</c>: shared access rules (<c>loire rule</c> is a subscription's filter rules).</summary>
internal static class AccessRuleCommands
{
    public static Command Create(CliContext context) => new("access-rule", "Manage shared access rules")
    {
        AccessRuleRegenerateCommand.Create(context),
    };
}
