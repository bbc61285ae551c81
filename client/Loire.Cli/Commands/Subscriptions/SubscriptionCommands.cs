using System.CommandLine;
using Loire.Cli.Infrastructure;

namespace Loire.Cli.Commands.Subscriptions;

/// <summary><c>loire subscription list|get|create|update|delete</c>.</summary>
internal static class SubscriptionCommands
{
    public static Command Create(CliContext context) => new("subscription", "Manage a topic's subscriptions")
    {
        SubscriptionListCommand.Create(context),
        SubscriptionGetCommand.Create(context),
        SubscriptionCreateCommand.Create(context),
        SubscriptionUpdateCommand.Create(context),
        SubscriptionDeleteCommand.Create(context),
    };

    public static Argument<string> TopicArgument() => new("topic") { Description = "The topic's path" };

    public static Argument<string> NameArgument() => new("name") { Description = "The subscription's name" };
}
