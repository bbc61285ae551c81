using System.CommandLine;
using System.Text.Json;
using Loire.Cli.Definitions;
using Loire.Cli.Infrastructure;
using Loire.Cli.Output;

namespace Loire.Cli.Commands.Definitions;

/// <summary><c>loire export [--prefix P] [--output FILE]</c>: queue, topic, subscription and rule definitions as JSON (never messages).</summary>
internal static class ExportCommand
{
    public static Command Create(CliContext context)
    {
        var prefix = new Option<string?>("--prefix") { Description = "Only queues and topics whose path starts with this" };
        var output = new Option<string?>("--output", "-o") { Description = "Write to this file instead of stdout" };
        var command = new Command("export", "Write entity definitions as JSON (for loire import)") { prefix, output };
        context.SetBrokerAction(command, async run =>
        {
            var admin = await run.AdminAsync().ConfigureAwait(false);
            var definitions = new EntityDefinitions();
            var p = run.Get(prefix);
            await foreach (var queue in admin.GetQueuesAsync(run.CancellationToken).ConfigureAwait(false))
            {
                if (p is null || queue.Name.StartsWith(p, StringComparison.Ordinal))
                {
                    definitions.Queues.Add(QueueDefinition.From(queue));
                }
            }

            await foreach (var topic in admin.GetTopicsAsync(run.CancellationToken).ConfigureAwait(false))
            {
                if (p is not null && !topic.Name.StartsWith(p, StringComparison.Ordinal))
                {
                    continue;
                }

                var topicDefinition = TopicDefinition.From(topic);
                await foreach (var subscription in admin.GetSubscriptionsAsync(topic.Name, run.CancellationToken).ConfigureAwait(false))
                {
                    var subscriptionDefinition = SubscriptionDefinition.From(subscription);
                    await foreach (var rule in admin.GetRulesAsync(topic.Name, subscription.SubscriptionName, run.CancellationToken).ConfigureAwait(false))
                    {
                        subscriptionDefinition.Rules.Add(RuleDefinition.From(rule));
                    }

                    topicDefinition.Subscriptions.Add(subscriptionDefinition);
                }

                definitions.Topics.Add(topicDefinition);
            }

            var json = JsonSerializer.Serialize(definitions, ResultWriter.JsonOptions);
            if (run.Get(output) is { } file)
            {
                await File.WriteAllTextAsync(file, json + Environment.NewLine, run.CancellationToken).ConfigureAwait(false);
                run.Console.Error.WriteLine($"exported {definitions.Queues.Count} queues and {definitions.Topics.Count} topics to {file}");
            }
            else
            {
                await run.Console.Out.WriteLineAsync(json).ConfigureAwait(false);
            }
        });
        return command;
    }
}
