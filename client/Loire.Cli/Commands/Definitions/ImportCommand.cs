using System.CommandLine;
using System.Text.Json;
using Loire.Cli.Definitions;
using Loire.Cli.Infrastructure;
using Loire.Cli.Output;
using Loire.Client;
using Loire.Client.Administration;

namespace Loire.Cli.Commands.Definitions;

/// <summary>
/// <c>loire import FILE [--rename FROM=TO]</c>: creates what a <c>loire export</c> file defines. Idempotent: what already
/// exists is reported as <c>existing</c> and left unchanged, so a rerun after a failure finishes the job. Exits 0 when
/// nothing failed, else with the code of the first failure; stops at the first transient failure (exit 5).
/// </summary>
internal static class ImportCommand
{
    public static Command Create(CliContext context)
    {
        var file = new Argument<string>("file") { Description = "JSON from loire export ('-' for stdin)" };
        var rename = new Option<string?>("--rename") { Description = "Replace the leading FROM of every path with TO, as FROM=TO" };
        var command = new Command("import", "Create the entities of an export file; existing ones are left alone") { file, rename };
        context.SetBrokerAction(command, async run =>
        {
            var definitions = await ReadAsync(run, run.Get(file)).ConfigureAwait(false);
            DefinitionRename.Parse(run.Get(rename))?.Apply(definitions);
            var steps = Plan(definitions);
            var admin = await run.AdminAsync().ConfigureAwait(false);
            var outcomes = new List<ImportOutcome>();
            await BulkProgress.RunAsync(run.Console, "import", steps.Count, async report =>
            {
                foreach (var step in steps)
                {
                    outcomes.Add(await RunStepAsync(step, admin, run.CancellationToken).ConfigureAwait(false));
                    report(outcomes.Count);
                }

                return outcomes.Count;
            }).ConfigureAwait(false);

            run.Output.WriteList(outcomes,
                new Column<ImportOutcome>("Kind", o => o.Kind),
                new Column<ImportOutcome>("Path", o => o.Path),
                new Column<ImportOutcome>("Result", o => o.Result),
                new Column<ImportOutcome>("Detail", o => o.Detail));
            var failed = outcomes.Count(o => o.Result == "failed");
            run.Console.Error.WriteLine($"created {outcomes.Count(o => o.Result == "created")}, existing {outcomes.Count(o => o.Result == "existing")}, failed {failed}");
            return outcomes.FirstOrDefault(o => o.Result == "failed")?.ExitCode ?? ExitCodes.Ok;
        });
        return command;
    }

    private const string Created = "created";

    private sealed record Step(string Kind, string Path, Func<LoireAdministrationClient, CancellationToken, Task<string>> Create);

    private static async Task<ImportOutcome> RunStepAsync(Step step, LoireAdministrationClient admin, CancellationToken cancellationToken)
    {
        try
        {
            return new ImportOutcome(step.Kind, step.Path, await step.Create(admin, cancellationToken).ConfigureAwait(false));
        }
        catch (LoireException exception) when (exception.Reason == LoireErrorReason.MessagingEntityAlreadyExists)
        {
            return new ImportOutcome(step.Kind, step.Path, "existing");
        }
        catch (LoireException exception) when (!exception.IsTransient)
        {
            return new ImportOutcome(step.Kind, step.Path, "failed", $"{exception.Reason}: {exception.Message}", ExitCodes.For(exception.Reason));
        }
        catch (CliUsageException exception)
        {
            return new ImportOutcome(step.Kind, step.Path, "failed", exception.Message, ExitCodes.Usage);
        }
    }

    /// <summary>
    /// Forwarding targets go first: queues that forward nowhere, then topics, then the queues that forward, then
    /// subscriptions. A subscription is created with its first rule (replacing the default one), then its other rules.
    /// </summary>
    private static List<Step> Plan(EntityDefinitions definitions)
    {
        static bool Forwards(QueueDefinition q) => q.ForwardTo is not null || q.ForwardDeadLetteredMessagesTo is not null;
        static Func<LoireAdministrationClient, CancellationToken, Task<string>> Creating(Func<LoireAdministrationClient, CancellationToken, Task> create) =>
            async (admin, ct) =>
            {
                await create(admin, ct).ConfigureAwait(false);
                return Created;
            };

        var steps = new List<Step>();
        steps.AddRange(definitions.Queues.Where(q => !Forwards(q))
            .Select(q => new Step("queue", q.Name, Creating((admin, ct) => admin.CreateQueueAsync(q.ToOptions(), ct)))));
        steps.AddRange(definitions.Topics
            .Select(t => new Step("topic", t.Name, Creating((admin, ct) => admin.CreateTopicAsync(t.ToOptions(), ct)))));
        steps.AddRange(definitions.Queues.Where(Forwards)
            .Select(q => new Step("queue", q.Name, Creating((admin, ct) => admin.CreateQueueAsync(q.ToOptions(), ct)))));
        foreach (var topic in definitions.Topics)
        {
            foreach (var subscription in topic.Subscriptions)
            {
                var path = $"{topic.Name}/subscriptions/{subscription.Name}";
                var first = subscription.Rules.FirstOrDefault();
                var createdWithFirstRule = false;
                steps.Add(new Step("subscription", path, Creating(async (admin, ct) =>
                {
                    _ = first is null
                        ? await admin.CreateSubscriptionAsync(subscription.ToOptions(topic.Name), ct).ConfigureAwait(false)
                        : await admin.CreateSubscriptionAsync(subscription.ToOptions(topic.Name), first.ToOptions(), ct).ConfigureAwait(false);
                    createdWithFirstRule = true;
                })));
                foreach (var rule in subscription.Rules)
                {
                    // The first rule came with a subscription created just now; on a subscription that already
                    // existed it is created (or found) like any other, so a rerun completes a partial import.
                    steps.Add(new Step("rule", $"{path}/rules/{rule.Name}", async (admin, ct) =>
                    {
                        if (rule != first || !createdWithFirstRule)
                        {
                            await admin.CreateRuleAsync(topic.Name, subscription.Name, rule.ToOptions(), ct).ConfigureAwait(false);
                        }

                        return Created;
                    }));
                }
            }
        }

        return steps;
    }

    private static async Task<EntityDefinitions> ReadAsync(CommandRun run, string file)
    {
        try
        {
            Stream stream = file == "-" ? run.Console.Input : File.OpenRead(file);
            await using (stream.ConfigureAwait(false))
            {
                var definitions = await JsonSerializer.DeserializeAsync<EntityDefinitions>(stream, ResultWriter.JsonOptions, run.CancellationToken).ConfigureAwait(false);
                return definitions ?? throw new CliUsageException($"{file}: the file holds no definitions.");
            }
        }
        catch (FileNotFoundException)
        {
            throw new CliUsageException($"{file} does not exist.");
        }
        catch (JsonException exception)
        {
            throw new CliUsageException($"{file} is not a loire export file: {exception.Message}");
        }
    }
}
