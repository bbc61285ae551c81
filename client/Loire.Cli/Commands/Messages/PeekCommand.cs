using System.CommandLine;
using Loire.Cli.Infrastructure;
using Loire.Cli.Output;
using Loire.Client;

namespace Loire.Cli.Commands.Messages;

/// <summary><c>loire peek ENTITY [--dlq] [--from SEQ] [--count N]</c>: looks at messages without locking or removing them.</summary>
internal static class PeekCommand
{
    private const int PageSize = 100;

    public static Command Create(CliContext context)
    {
        var entity = new Argument<string>("entity") { Description = "Queue, or subscription as topic/subscriptions/name" };
        var deadLetters = new Option<bool>("--dlq") { Description = "Peek the dead-letter queue" };
        var from = new Option<long?>("--from") { Description = "First sequence number to show" };
        var count = new Option<int>("--count", "-n") { Description = "Most messages to show", DefaultValueFactory = _ => 10 };
        var command = new Command("peek", "Show messages without receiving them") { entity, deadLetters, from, count };
        context.SetBrokerAction(command, async run =>
        {
            if (run.Get(count) < 1)
            {
                throw new CliUsageException("--count must be at least 1.");
            }

            var address = EntityAddress.Parse(run.Get(entity));
            var client = await run.ClientAsync().ConfigureAwait(false);
            await using var receiver = address.CreateReceiver(client, new LoireReceiverOptions
            {
                SubQueue = run.Get(deadLetters) ? SubQueue.DeadLetter : SubQueue.None,
            });
            var views = new List<MessageView>();
            var next = run.Get(from);
            while (views.Count < run.Get(count))
            {
                var page = await receiver.PeekMessagesAsync(Math.Min(PageSize, run.Get(count) - views.Count), next, run.CancellationToken).ConfigureAwait(false);
                if (page.Count == 0)
                {
                    break;
                }

                views.AddRange(page.Select(MessageView.From));
                next = page[^1].SequenceNumber + 1;
            }

            run.Output.WriteList(views,
                new Column<MessageView>("Seq", m => m.SequenceNumber),
                new Column<MessageView>("MessageId", m => m.MessageId),
                new Column<MessageView>("Subject", m => m.Subject),
                new Column<MessageView>("Enqueued", m => m.EnqueuedTime),
                new Column<MessageView>("Deliveries", m => m.DeliveryCount),
                new Column<MessageView>("State", m => m.State),
                new Column<MessageView>("Dead-letter reason", m => m.DeadLetterReason),
                new Column<MessageView>("Size", m => m.Size),
                new Column<MessageView>("Body", m => m.Preview()));
        });
        return command;
    }
}
