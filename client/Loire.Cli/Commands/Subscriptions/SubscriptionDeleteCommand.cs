using System.CommandLine;
using Loire.Cli.Infrastructure;

namespace Loire.Cli.Commands.Subscriptions;

/// <summary><c>loire subscription delete TOPIC NAME</c>: the subscription and its messages.</summary>
internal static class SubscriptionDeleteCommand
{
    public static Command Create(CliContext context)
    {
        var topic = SubscriptionCommands.TopicArgument();
        var name = SubscriptionCommands.NameArgument();
        var command = new Command("delete", "Delete a subscription and its messages") { topic, name };
        context.SetBrokerAction(command, async run =>
        {
            var admin = await run.AdminAsync().ConfigureAwait(false);
            await admin.DeleteSubscriptionAsync(run.Get(topic), run.Get(name), run.CancellationToken).ConfigureAwait(false);
            var path = $"{run.Get(topic)}/subscriptions/{run.Get(name)}";
            run.Output.WriteOutcome($"deleted subscription {path}", new { deleted = path, kind = "subscription" });
        });
        return command;
    }
}
