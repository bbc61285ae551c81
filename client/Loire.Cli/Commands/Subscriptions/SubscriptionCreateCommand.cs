using System.CommandLine;
using Loire.Cli.Commands.Rules;
using Loire.Cli.Infrastructure;

namespace Loire.Cli.Commands.Subscriptions;

/// <summary><c>loire subscription create TOPIC NAME [settings] [--sql EXPR | correlation flags]</c>: with a filter, it replaces the default match-all rule.</summary>
internal static class SubscriptionCreateCommand
{
    public static Command Create(CliContext context)
    {
        var topic = SubscriptionCommands.TopicArgument();
        var name = SubscriptionCommands.NameArgument();
        var ruleName = new Option<string>("--rule-name") { Description = "Name of the first rule", DefaultValueFactory = _ => "$Default" };
        var flags = new EntityFlags();
        var filter = new RuleFilterFlags();
        var command = new Command("create", "Create a subscription, optionally with a filter for its first rule") { topic, name, ruleName };
        flags.AddSubscriptionFlags(command);
        filter.AddTo(command);
        context.SetBrokerAction(command, async run =>
        {
            var options = flags.Subscription(run, run.Get(name)).ToOptions(run.Get(topic));
            var rule = filter.Rule(run, run.Get(ruleName));
            var admin = await run.AdminAsync().ConfigureAwait(false);
            var created = rule is null
                ? await admin.CreateSubscriptionAsync(options, run.CancellationToken).ConfigureAwait(false)
                : await admin.CreateSubscriptionAsync(options, rule.ToOptions(), run.CancellationToken).ConfigureAwait(false);
            run.Output.WriteRecord(created);
        });
        return command;
    }
}
