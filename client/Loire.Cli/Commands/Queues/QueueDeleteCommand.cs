using System.CommandLine;
using Loire.Cli.Infrastructure;

namespace Loire.Cli.Commands.Queues;

/// <summary><c>loire queue delete NAME</c>: the queue and every message in it.</summary>
internal static class QueueDeleteCommand
{
    public static Command Create(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "The queue's path" };
        var command = new Command("delete", "Delete a queue and its messages") { name };
        context.SetBrokerAction(command, async run =>
        {
            var admin = await run.AdminAsync().ConfigureAwait(false);
            await admin.DeleteQueueAsync(run.Get(name), run.CancellationToken).ConfigureAwait(false);
            run.Output.WriteOutcome($"deleted queue {run.Get(name)}", new { deleted = run.Get(name), kind = "queue" });
        });
        return command;
    }
}
