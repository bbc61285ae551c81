using System.CommandLine;
using Loire.Cli.Infrastructure;

namespace Loire.Cli.Commands.Queues;

/// <summary><c>loire queue create NAME [settings]</c>.</summary>
internal static class QueueCreateCommand
{
    public static Command Create(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "The queue's path" };
        var flags = new EntityFlags();
        var command = new Command("create", "Create a queue") { name };
        flags.AddQueueFlags(command);
        context.SetBrokerAction(command, async run =>
        {
            var options = flags.Queue(run, run.Get(name)).ToOptions();
            var admin = await run.AdminAsync().ConfigureAwait(false);
            run.Output.WriteRecord(await admin.CreateQueueAsync(options, run.CancellationToken).ConfigureAwait(false));
        });
        return command;
    }
}
