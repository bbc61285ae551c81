using System.CommandLine;
using Loire.Cli.Infrastructure;
using Loire.Cli.Output;
using Loire.Client;
using Loire.Client.Administration;

namespace Loire.Cli.Commands;

/// <summary><c>loire stats [ENTITY] [--prefix P]</c>: message counts of one entity, or of every queue, topic and subscription.</summary>
internal static class StatsCommand
{
    public static Command Create(CliContext context)
    {
        var entity = new Argument<string?>("entity") { Description = "Queue, topic, or topic/subscriptions/name; all entities when omitted", Arity = ArgumentArity.ZeroOrOne };
        var prefix = new Option<string?>("--prefix") { Description = "Only entities whose path starts with this" };
        var command = new Command("stats", "Show runtime counts (active, dead-lettered, scheduled, ...)") { entity, prefix };
        context.SetBrokerAction(command, async run =>
        {
            var admin = await run.AdminAsync().ConfigureAwait(false);
            var rows = run.Get(entity) is { } path
                ? [await OneAsync(admin, EntityAddress.Parse(path), run.CancellationToken).ConfigureAwait(false)]
                : await AllAsync(admin, run.Get(prefix), run.CancellationToken).ConfigureAwait(false);
            run.Output.WriteList(rows,
                new Column<StatsRow>("Entity", r => r.Entity),
                new Column<StatsRow>("Kind", r => r.Kind),
                new Column<StatsRow>("Active", r => r.Active),
                new Column<StatsRow>("Dead-lettered", r => r.DeadLetter),
                new Column<StatsRow>("Scheduled", r => r.Scheduled),
                new Column<StatsRow>("Deferred", r => r.Deferred),
                new Column<StatsRow>("Locked", r => r.Locked),
                new Column<StatsRow>("Total", r => r.Total),
                new Column<StatsRow>("Bytes", r => r.SizeInBytes));
        });
        return command;
    }

    private static async Task<StatsRow> OneAsync(LoireAdministrationClient admin, EntityAddress address, CancellationToken cancellationToken)
    {
        if (address.IsSubscription)
        {
            return StatsRow.From(await admin.GetSubscriptionRuntimePropertiesAsync(address.Topic!, address.Subscription!, cancellationToken).ConfigureAwait(false));
        }

        try
        {
            return StatsRow.From(await admin.GetQueueRuntimePropertiesAsync(address.Path, cancellationToken).ConfigureAwait(false));
        }
        catch (LoireException exception) when (exception.Reason == LoireErrorReason.MessagingEntityNotFound)
        {
            // Queues and topics share one namespace, so a path that is no queue may be a topic.
            return StatsRow.From(await admin.GetTopicRuntimePropertiesAsync(address.Path, cancellationToken).ConfigureAwait(false));
        }
    }

    private static async Task<List<StatsRow>> AllAsync(LoireAdministrationClient admin, string? prefix, CancellationToken cancellationToken)
    {
        var rows = new List<StatsRow>();
        await foreach (var queue in admin.GetQueuesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (prefix is null || queue.Name.StartsWith(prefix, StringComparison.Ordinal))
            {
                rows.Add(StatsRow.From(await admin.GetQueueRuntimePropertiesAsync(queue.Name, cancellationToken).ConfigureAwait(false)));
            }
        }

        await foreach (var topic in admin.GetTopicsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (prefix is not null && !topic.Name.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            rows.Add(StatsRow.From(await admin.GetTopicRuntimePropertiesAsync(topic.Name, cancellationToken).ConfigureAwait(false)));
            await foreach (var subscription in admin.GetSubscriptionsAsync(topic.Name, cancellationToken).ConfigureAwait(false))
            {
                rows.Add(StatsRow.From(await admin.GetSubscriptionRuntimePropertiesAsync(topic.Name, subscription.SubscriptionName, cancellationToken).ConfigureAwait(false)));
            }
        }

        return rows;
    }
}
