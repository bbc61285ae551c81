using System.CommandLine;
using Loire.Cli.Infrastructure;

namespace Loire.Cli.Commands.DeadLetters;

/// <summary><c>loire dlq resubmit|purge ENTITY</c>; <c>loire peek ENTITY --dlq</c> shows them.</summary>
internal static class DeadLetterCommands
{
    public static Command Create(CliContext context) => new("dlq", "Work on dead-letter queues")
    {
        DeadLetterResubmitCommand.Create(context),
        DeadLetterPurgeCommand.Create(context),
    };
}
