using System.CommandLine;
using Loire.Cli.Infrastructure;

namespace Loire.Cli.Commands.Queues;

/// <summary><c>loire queue get NAME</c>: every setting of one queue.</summary>
internal static class QueueGetCommand
{
    public static Command Create(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "The queue's path" };
        var command = new Command("get", "Show a queue's settings") { name };
        context.SetBrokerAction(command, async run =>
        {
            var admin = await run.AdminAsync().ConfigureAwait(false);
            run.Output.WriteRecord(await admin.GetQueueAsync(run.Get(name), run.CancellationToken).ConfigureAwait(false));
        });
        return command;
    }
}
