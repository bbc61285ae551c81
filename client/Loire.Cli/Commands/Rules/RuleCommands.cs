using System.CommandLine;
using Loire.Cli.Commands.Subscriptions;
using Loire.Cli.Infrastructure;

namespace Loire.Cli.Commands.Rules;

/// <summary><c>loire rule list|create|delete</c>: the rules of one subscription.</summary>
internal static class RuleCommands
{
    public static Command Create(CliContext context) => new("rule", "Manage a subscription's rules")
    {
        RuleListCommand.Create(context),
        RuleCreateCommand.Create(context),
        RuleDeleteCommand.Create(context),
    };

    public static Argument<string> TopicArgument() => SubscriptionCommands.TopicArgument();

    public static Argument<string> SubscriptionArgument() => new("subscription") { Description = "The subscription's name" };

    public static Argument<string> NameArgument() => new("name") { Description = "The rule's name" };
}
