using System.CommandLine;
using Loire.Cli.Definitions;
using Loire.Cli.Infrastructure;
using Loire.Cli.Output;

namespace Loire.Cli.Commands.Rules;

/// <summary><c>loire rule list TOPIC SUBSCRIPTION</c>.</summary>
internal static class RuleListCommand
{
    public static Command Create(CliContext context)
    {
        var topic = RuleCommands.TopicArgument();
        var subscription = RuleCommands.SubscriptionArgument();
        var command = new Command("list", "List a subscription's rules") { topic, subscription };
        context.SetBrokerAction(command, async run =>
        {
            var admin = await run.AdminAsync().ConfigureAwait(false);
            var rules = new List<RuleDefinition>();
            await foreach (var rule in admin.GetRulesAsync(run.Get(topic), run.Get(subscription), run.CancellationToken).ConfigureAwait(false))
            {
                rules.Add(RuleDefinition.From(rule));
            }

            run.Output.WriteList(rules,
                new Column<RuleDefinition>("Name", r => r.Name),
                new Column<RuleDefinition>("Filter", r => r.Describe()));
        });
        return command;
    }
}
