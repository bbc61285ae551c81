using System.CommandLine;
using Loire.Cli.Infrastructure;
using Loire.Cli.Output;

namespace Loire.Cli.Commands.DeadLetters;

/// <summary><c>loire dlq resubmit ENTITY [--seq N ...]</c>: moves dead letters back as fresh active messages.</summary>
internal static class DeadLetterResubmitCommand
{
    public static Command Create(CliContext context)
    {
        var entity = new Argument<string>("entity") { Description = "Queue, or subscription as topic/subscriptions/name" };
        var sequenceNumbers = new Option<long[]>("--seq") { Description = "Only these sequence numbers (repeatable); default all", AllowMultipleArgumentsPerToken = true };
        var command = new Command("resubmit", "Move dead letters back into their queue or subscription") { entity, sequenceNumbers };
        context.SetBrokerAction(command, async run =>
        {
            var address = EntityAddress.Parse(run.Get(entity));
            var chosen = run.Get(sequenceNumbers) is { Length: > 0 } numbers ? numbers : null;
            var admin = await run.AdminAsync().ConfigureAwait(false);
            var moved = await BulkProgress.RunAsync(run.Console, $"resubmit dead letters of {address}", chosen?.Length, _ => address.IsSubscription
                ? admin.ResubmitDeadLetterMessagesAsync(address.Topic!, address.Subscription!, chosen, run.CancellationToken)
                : admin.ResubmitDeadLetterMessagesAsync(address.Path, chosen, run.CancellationToken)).ConfigureAwait(false);
            run.Output.WriteOutcome($"resubmitted {moved} dead letters to {address}", new { entity = address.Path, resubmitted = moved });
        });
        return command;
    }
}
