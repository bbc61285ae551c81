using System.CommandLine;
using Loire.Cli.Infrastructure;
using Loire.Cli.Output;
using Loire.Client.Administration;

namespace Loire.Cli.Commands.Subscriptions;

/// <summary><c>loire subscription list TOPIC</c>.</summary>
internal static class SubscriptionListCommand
{
    public static Command Create(CliContext context)
    {
        var topic = SubscriptionCommands.TopicArgument();
        var command = new Command("list", "List a topic's subscriptions") { topic };
        context.SetBrokerAction(command, async run =>
        {
            var admin = await run.AdminAsync().ConfigureAwait(false);
            var subscriptions = new List<SubscriptionProperties>();
            await foreach (var subscription in admin.GetSubscriptionsAsync(run.Get(topic), run.CancellationToken).ConfigureAwait(false))
            {
                subscriptions.Add(subscription);
            }

            run.Output.WriteList(subscriptions,
                new Column<SubscriptionProperties>("Topic", s => s.TopicName),
                new Column<SubscriptionProperties>("Name", s => s.SubscriptionName),
                new Column<SubscriptionProperties>("Lock", s => s.LockDuration),
                new Column<SubscriptionProperties>("Max deliveries", s => s.MaxDeliveryCount),
                new Column<SubscriptionProperties>("TTL", s => s.DefaultMessageTimeToLive),
                new Column<SubscriptionProperties>("Sessions", s => s.RequiresSession),
                new Column<SubscriptionProperties>("Forward to", s => s.ForwardTo));
        });
        return command;
    }
}
