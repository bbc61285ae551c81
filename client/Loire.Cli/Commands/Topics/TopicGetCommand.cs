using System.CommandLine;
using Loire.Cli.Infrastructure;

namespace Loire.Cli.Commands.Topics;

/// <summary><c>loire topic get NAME</c>: every setting of one topic.</summary>
internal static class TopicGetCommand
{
    public static Command Create(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "The topic's path" };
        var command = new Command("get", "Show a topic's settings") { name };
        context.SetBrokerAction(command, async run =>
        {
            var admin = await run.AdminAsync().ConfigureAwait(false);
            run.Output.WriteRecord(await admin.GetTopicAsync(run.Get(name), run.CancellationToken).ConfigureAwait(false));
        });
        return command;
    }
}
