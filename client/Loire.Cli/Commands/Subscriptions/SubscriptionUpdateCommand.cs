using System.CommandLine;
using Loire.Cli.Infrastructure;
using Loire.Client.Administration;

namespace Loire.Cli.Commands.Subscriptions;

/// <summary><c>loire subscription update TOPIC NAME [settings]</c>: the settings given change, the others (and the rules) stay.</summary>
internal static class SubscriptionUpdateCommand
{
    public static Command Create(CliContext context)
    {
        var topic = SubscriptionCommands.TopicArgument();
        var name = SubscriptionCommands.NameArgument();
        var flags = new EntityFlags();
        var command = new Command("update", "Change a subscription's settings (those not given, and its rules, stay)") { topic, name };
        flags.AddSubscriptionFlags(command);
        context.SetBrokerAction(command, async run =>
        {
            var changes = flags.Subscription(run, run.Get(name));
            var admin = await run.AdminAsync().ConfigureAwait(false);
            var current = await admin.GetSubscriptionAsync(run.Get(topic), run.Get(name), run.CancellationToken).ConfigureAwait(false);
            var options = changes.ApplyTo(new CreateSubscriptionOptions(current));
            run.Output.WriteRecord(await admin.UpdateSubscriptionAsync(options, run.CancellationToken).ConfigureAwait(false));
        });
        return command;
    }
}
