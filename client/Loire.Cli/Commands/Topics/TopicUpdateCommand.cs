using System.CommandLine;
using Loire.Cli.Infrastructure;
using Loire.Client.Administration;

namespace Loire.Cli.Commands.Topics;

/// <summary><c>loire topic update NAME [settings]</c>: the settings given change, the others keep their value.</summary>
internal static class TopicUpdateCommand
{
    public static Command Create(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "The topic's path" };
        var flags = new EntityFlags();
        var command = new Command("update", "Change a topic's settings (those not given stay)") { name };
        flags.AddTopicFlags(command);
        context.SetBrokerAction(command, async run =>
        {
            var changes = flags.Topic(run, run.Get(name));
            var admin = await run.AdminAsync().ConfigureAwait(false);
            var current = await admin.GetTopicAsync(run.Get(name), run.CancellationToken).ConfigureAwait(false);
            var options = changes.ApplyTo(new CreateTopicOptions(current));
            run.Output.WriteRecord(await admin.UpdateTopicAsync(options, run.CancellationToken).ConfigureAwait(false));
        });
        return command;
    }
}
