using System.CommandLine;
using Loire.Cli.Infrastructure;

namespace Loire.Cli.Commands.Queues;

/// <summary><c>loire queue list|get|create|update|delete</c>.</summary>
internal static class QueueCommands
{
    public static Command Create(CliContext context) => new("queue", "Manage queues")
    {
        QueueListCommand.Create(context),
        QueueGetCommand.Create(context),
        QueueCreateCommand.Create(context),
        QueueUpdateCommand.Create(context),
        QueueDeleteCommand.Create(context),
    };
}
