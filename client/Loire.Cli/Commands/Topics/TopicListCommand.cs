using System.CommandLine;
using Loire.Cli.Infrastructure;
using Loire.Cli.Output;
using Loire.Client.Administration;

namespace Loire.Cli.Commands.Topics;

/// <summary><c>loire topic list [--prefix P]</c>.</summary>
internal static class TopicListCommand
{
    public static Command Create(CliContext context)
    {
        var prefix = new Option<string?>("--prefix") { Description = "Only topics whose path starts with this" };
        var command = new Command("list", "List topics") { prefix };
        context.SetBrokerAction(command, async run =>
        {
            var admin = await run.AdminAsync().ConfigureAwait(false);
            var topics = new List<TopicProperties>();
            await foreach (var topic in admin.GetTopicsAsync(run.CancellationToken).ConfigureAwait(false))
            {
                if (run.Get(prefix) is not { } p || topic.Name.StartsWith(p, StringComparison.Ordinal))
                {
                    topics.Add(topic);
                }
            }

            run.Output.WriteList(topics,
                new Column<TopicProperties>("Name", t => t.Name),
                new Column<TopicProperties>("TTL", t => t.DefaultMessageTimeToLive),
                new Column<TopicProperties>("Dedupe", t => t.RequiresDuplicateDetection),
                new Column<TopicProperties>("Partitions", t => t.PartitionCount),
                new Column<TopicProperties>("Max size MB", t => t.MaxSizeInMegabytes));
        });
        return command;
    }
}
