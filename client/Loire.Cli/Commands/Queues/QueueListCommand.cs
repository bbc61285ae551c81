using System.CommandLine;
using Loire.Cli.Infrastructure;
using Loire.Cli.Output;
using Loire.Client.Administration;

namespace Loire.Cli.Commands.Queues;

/// <summary><c>loire queue list [--prefix P]</c>.</summary>
internal static class QueueListCommand
{
    public static Command Create(CliContext context)
    {
        var prefix = new Option<string?>("--prefix") { Description = "Only queues whose path starts with this" };
        var command = new Command("list", "List queues") { prefix };
        context.SetBrokerAction(command, async run =>
        {
            var admin = await run.AdminAsync().ConfigureAwait(false);
            var queues = new List<QueueProperties>();
            await foreach (var queue in admin.GetQueuesAsync(run.CancellationToken).ConfigureAwait(false))
            {
                if (run.Get(prefix) is not { } p || queue.Name.StartsWith(p, StringComparison.Ordinal))
                {
                    queues.Add(queue);
                }
            }

            run.Output.WriteList(queues,
                new Column<QueueProperties>("Name", q => q.Name),
                new Column<QueueProperties>("Lock", q => q.LockDuration),
                new Column<QueueProperties>("Max deliveries", q => q.MaxDeliveryCount),
                new Column<QueueProperties>("TTL", q => q.DefaultMessageTimeToLive),
                new Column<QueueProperties>("Sessions", q => q.RequiresSession),
                new Column<QueueProperties>("Dedupe", q => q.RequiresDuplicateDetection),
                new Column<QueueProperties>("Partitions", q => q.PartitionCount),
                new Column<QueueProperties>("Forward to", q => q.ForwardTo));
        });
        return command;
    }
}
