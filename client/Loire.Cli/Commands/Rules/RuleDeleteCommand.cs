using System.CommandLine;
using Loire.Cli.Infrastructure;

namespace Loire.Cli.Commands.Rules;

/// <summary><c>loire rule delete TOPIC SUBSCRIPTION NAME</c>.</summary>
internal static class RuleDeleteCommand
{
    public static Command Create(CliContext context)
    {
        var topic = RuleCommands.TopicArgument();
        var subscription = RuleCommands.SubscriptionArgument();
        var name = RuleCommands.NameArgument();
        var command = new Command("delete", "Remove a rule from a subscription") { topic, subscription, name };
        context.SetBrokerAction(command, async run =>
        {
            var admin = await run.AdminAsync().ConfigureAwait(false);
            await admin.DeleteRuleAsync(run.Get(topic), run.Get(subscription), run.Get(name), run.CancellationToken).ConfigureAwait(false);
            run.Output.WriteOutcome($"deleted rule {run.Get(name)}", new { deleted = run.Get(name), kind = "rule" });
        });
        return command;
    }
}
