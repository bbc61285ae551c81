using System.CommandLine;
using Loire.Cli.Definitions;
using Loire.Cli.Infrastructure;

namespace Loire.Cli.Commands.Rules;

/// <summary><c>loire rule create TOPIC SUBSCRIPTION NAME (--sql EXPR | correlation flags | --match-none)</c>; no filter flag means match all.</summary>
internal static class RuleCreateCommand
{
    public static Command Create(CliContext context)
    {
        var topic = RuleCommands.TopicArgument();
        var subscription = RuleCommands.SubscriptionArgument();
        var name = RuleCommands.NameArgument();
        var filter = new RuleFilterFlags();
        var command = new Command("create", "Add a rule to a subscription") { topic, subscription, name };
        filter.AddTo(command);
        context.SetBrokerAction(command, async run =>
        {
            var rule = filter.Rule(run, run.Get(name)) ?? new RuleDefinition { Name = run.Get(name), Filter = "true" };
            var admin = await run.AdminAsync().ConfigureAwait(false);
            var created = await admin.CreateRuleAsync(run.Get(topic), run.Get(subscription), rule.ToOptions(), run.CancellationToken).ConfigureAwait(false);
            var definition = RuleDefinition.From(created);
            run.Output.WriteOutcome($"created rule {definition.Name} ({definition.Describe()})", definition);
        });
        return command;
    }
}
