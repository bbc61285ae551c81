using System.CommandLine;
using Loire.Cli.Commands.Messages;
using Loire.Cli.Infrastructure;
using Loire.Client;

namespace Loire.Cli.Commands.DeadLetters;

/// <summary><c>loire dlq purge ENTITY</c>: deletes every dead letter of a queue or subscription.</summary>
internal static class DeadLetterPurgeCommand
{
    public static Command Create(CliContext context)
    {
        var entity = new Argument<string>("entity") { Description = "Queue, or subscription as topic/subscriptions/name" };
        var command = new Command("purge", "Delete every dead letter of a queue or subscription") { entity };
        context.SetBrokerAction(command, run => PurgeCommand.RunAsync(run, EntityAddress.Parse(run.Get(entity)), SubQueue.DeadLetter));
        return command;
    }
}
