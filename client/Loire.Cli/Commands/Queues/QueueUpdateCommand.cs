using System.CommandLine;
using Loire.Cli.Infrastructure;
using Loire.Client.Administration;

namespace Loire.Cli.Commands.Queues;

/// <summary><c>loire queue update NAME [settings]</c>: the settings given change, the others keep their value.</summary>
internal static class QueueUpdateCommand
{
    public static Command Create(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "The queue's path" };
        var flags = new EntityFlags();
        var command = new Command("update", "Change a queue's settings (those not given stay)") { name };
        flags.AddQueueFlags(command);
        context.SetBrokerAction(command, async run =>
        {
            var changes = flags.Queue(run, run.Get(name));
            var admin = await run.AdminAsync().ConfigureAwait(false);
            var current = await admin.GetQueueAsync(run.Get(name), run.CancellationToken).ConfigureAwait(false);
            var options = changes.ApplyTo(new CreateQueueOptions(current));
            run.Output.WriteRecord(await admin.UpdateQueueAsync(options, run.CancellationToken).ConfigureAwait(false));
        });
        return command;
    }
}
