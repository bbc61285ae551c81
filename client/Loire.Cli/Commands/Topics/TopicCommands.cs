using System.CommandLine;
using Loire.Cli.Infrastructure;

namespace Loire.Cli.Commands.Topics;

/// <summary><c>loire topic list|get|create|update|delete</c>.</summary>
internal static class TopicCommands
{
    public static Command Create(CliContext context) => new("topic", "Manage topics")
    {
        TopicListCommand.Create(context),
        TopicGetCommand.Create(context),
        TopicCreateCommand.Create(context),
        TopicUpdateCommand.Create(context),
        TopicDeleteCommand.Create(context),
    };
}
