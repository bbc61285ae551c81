using System.CommandLine;
using Loire.Cli.Infrastructure;

namespace Loire.Cli.Commands.Topics;

/// <summary><c>loire topic create NAME [settings]</c>.</summary>
internal static class TopicCreateCommand
{
    public static Command Create(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "The topic's path" };
        var flags = new EntityFlags();
        var command = new Command("create", "Create a topic") { name };
        flags.AddTopicFlags(command);
        context.SetBrokerAction(command, async run =>
        {
            var options = flags.Topic(run, run.Get(name)).ToOptions();
            var admin = await run.AdminAsync().ConfigureAwait(false);
            run.Output.WriteRecord(await admin.CreateTopicAsync(options, run.CancellationToken).ConfigureAwait(false));
        });
        return command;
    }
}
