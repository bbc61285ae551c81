using System.CommandLine;
using Loire.Cli.Commands.AccessRules;
using Loire.Cli.Commands.DeadLetters;
using Loire.Cli.Commands.Definitions;
using Loire.Cli.Commands.Messages;
using Loire.Cli.Commands.Queues;
using Loire.Cli.Commands.Rules;
using Loire.Cli.Commands.Subscriptions;
using Loire.Cli.Commands.Topics;
using Loire.Cli.Infrastructure;

namespace Loire.Cli.Commands;

/// <summary>Every <c>loire</c> command under one root with the global options.</summary>
internal static class CommandTree
{
    public static RootCommand Build(CliContext context)
    {
        var root = new RootCommand(
            "loire: operate a Loire cluster over its gateway. Exit codes: 0 ok, 1 usage error, 2 not found, 3 already exists, "
            + "4 invalid argument, 5 broker unreachable or timed out, 6 other broker error.")
        {
            QueueCommands.Create(context),
            TopicCommands.Create(context),
            SubscriptionCommands.Create(context),
            RuleCommands.Create(context),
            StatsCommand.Create(context),
            PeekCommand.Create(context),
            SendCommand.Create(context),
            ReceiveCommand.Create(context),
            PurgeCommand.Create(context),
            DeadLetterCommands.Create(context),
            ExportCommand.Create(context),
            ImportCommand.Create(context),
            TokenCommand.Create(context),
            AccessRuleCommands.Create(context),
        };
        context.Options.AddTo(root);
        return root;
    }
}
