using System.CommandLine;
using Loire.Cli.Infrastructure;
using Loire.Cli.Output;
using Loire.Client;

namespace Loire.Cli.Commands.Messages;

/// <summary><c>loire purge ENTITY</c>: deletes every message of a queue or subscription (not its dead letters).</summary>
internal static class PurgeCommand
{
    public static Command Create(CliContext context)
    {
        var entity = new Argument<string>("entity") { Description = "Queue, or subscription as topic/subscriptions/name" };
        var command = new Command("purge", "Delete every message of a queue or subscription (dead letters stay)") { entity };
        context.SetBrokerAction(command, run => RunAsync(run, EntityAddress.Parse(run.Get(entity)), SubQueue.None));
        return command;
    }

    /// <summary>Shared with <c>loire dlq purge</c>.</summary>
    public static async Task RunAsync(CommandRun run, EntityAddress address, SubQueue subQueue)
    {
        var admin = await run.AdminAsync().ConfigureAwait(false);
        var what = subQueue == SubQueue.DeadLetter ? "dead letters" : "messages";
        var purged = await BulkProgress.RunAsync(run.Console, $"purge {what} of {address}", total: null, _ => address.IsSubscription
            ? admin.PurgeMessagesAsync(address.Topic!, address.Subscription!, subQueue, run.CancellationToken)
            : admin.PurgeMessagesAsync(address.Path, subQueue, run.CancellationToken)).ConfigureAwait(false);
        run.Output.WriteOutcome($"purged {purged} {what} from {address}", new { entity = address.Path, subQueue, purged });
    }
}
