using System.CommandLine;
using Loire.Cli.Infrastructure;

namespace Loire.Cli.Commands.Subscriptions;

/// <summary><c>loire subscription get TOPIC NAME</c>: every setting of one subscription.</summary>
internal static class SubscriptionGetCommand
{
    public static Command Create(CliContext context)
    {
        var topic = SubscriptionCommands.TopicArgument();
        var name = SubscriptionCommands.NameArgument();
        var command = new Command("get", "Show a subscription's settings") { topic, name };
        context.SetBrokerAction(command, async run =>
        {
            var admin = await run.AdminAsync().ConfigureAwait(false);
            run.Output.WriteRecord(await admin.GetSubscriptionAsync(run.Get(topic), run.Get(name), run.CancellationToken).ConfigureAwait(false));
        });
        return command;
    }
}
