using System.CommandLine;
using Loire.Cli.Infrastructure;

namespace Loire.Cli.Commands.Topics;

/// <summary><c>loire topic delete NAME</c>: the topic with its subscriptions and their messages.</summary>
internal static class TopicDeleteCommand
{
    public static Command Create(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "The topic's path" };
        var command = new Command("delete", "Delete a topic, its subscriptions and their messages") { name };
        context.SetBrokerAction(command, async run =>
        {
            var admin = await run.AdminAsync().ConfigureAwait(false);
            await admin.DeleteTopicAsync(run.Get(name), run.CancellationToken).ConfigureAwait(false);
            run.Output.WriteOutcome($"deleted topic {run.Get(name)}", new { deleted = run.Get(name), kind = "topic" });
        });
        return command;
    }
}
