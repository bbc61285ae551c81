using System.CommandLine;
using Loire.Cli.Infrastructure;
using Loire.Cli.Output;
using Loire.Client;

namespace Loire.Cli.Commands.Messages;

/// <summary>
/// <c>loire receive ENTITY [--count N] [--wait S] [--mode peeklock|receivedelete] [--complete|--abandon|--deadletter]</c>:
/// takes up to N messages, waiting at most S seconds for each batch, and writes their bodies to stdout (one per line)
/// or to files. In peek-lock mode each message is completed unless another settlement is asked for.
/// </summary>
internal static class ReceiveCommand
{
    private const int BatchSize = 100;

    public static Command Create(CliContext context)
    {
        var entity = new Argument<string>("entity") { Description = "Queue, or subscription as topic/subscriptions/name" };
        var count = new Option<int>("--count", "-n") { Description = "Most messages to receive", DefaultValueFactory = _ => 1 };
        var wait = new Option<double>("--wait", "-w") { Description = "Seconds to wait for messages", DefaultValueFactory = _ => 5 };
        var mode = new Option<string>("--mode") { Description = "peeklock (settle after writing) or receivedelete (removed on receipt)", DefaultValueFactory = _ => "peeklock" };
        mode.AcceptOnlyFromAmong("peeklock", "receivedelete");
        var complete = new Option<bool>("--complete") { Description = "Complete each message (the default in peeklock mode)" };
        var abandon = new Option<bool>("--abandon") { Description = "Abandon each message: it becomes available again, its delivery counted" };
        var deadLetter = new Option<bool>("--deadletter") { Description = "Move each message to the dead-letter queue" };
        var reason = new Option<string>("--reason") { Description = "Dead-letter reason with --deadletter", DefaultValueFactory = _ => "loire-cli" };
        var deadLetters = new Option<bool>("--dlq") { Description = "Receive from the dead-letter queue" };
        var outputDirectory = new Option<string?>("--output-dir", "-o") { Description = "Write each body to DIR/<sequence number>.msg instead of stdout" };
        var command = new Command("receive", "Receive messages and write their bodies") { entity, count, wait, mode, complete, abandon, deadLetter, reason, deadLetters, outputDirectory };
        context.SetBrokerAction(command, async run =>
        {
            var settlement = Settlement(run.Get(complete), run.Get(abandon), run.Get(deadLetter));
            var receiveAndDelete = run.Get(mode) == "receivedelete";
            if (receiveAndDelete && settlement is not null)
            {
                throw new CliUsageException("--complete, --abandon and --deadletter need --mode peeklock.");
            }

            if (run.Get(count) < 1 || run.Get(wait) < 0)
            {
                throw new CliUsageException("--count must be at least 1 and --wait not negative.");
            }

            var directory = run.Get(outputDirectory);
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }

            var address = EntityAddress.Parse(run.Get(entity));
            var client = await run.ClientAsync().ConfigureAwait(false);
            await using var receiver = address.CreateReceiver(client, new LoireReceiverOptions
            {
                ReceiveMode = receiveAndDelete ? LoireReceiveMode.ReceiveAndDelete : LoireReceiveMode.PeekLock,
                SubQueue = run.Get(deadLetters) ? SubQueue.DeadLetter : SubQueue.None,
            });
            var received = new List<MessageView>();
            while (received.Count < run.Get(count))
            {
                var batch = await receiver.ReceiveMessagesAsync(Math.Min(BatchSize, run.Get(count) - received.Count),
                    TimeSpan.FromSeconds(run.Get(wait)), run.CancellationToken).ConfigureAwait(false);
                if (batch.Count == 0)
                {
                    break;
                }

                foreach (var message in batch)
                {
                    // Written before it is settled: a crash in between redelivers the message rather than losing it.
                    var view = MessageView.From(message);
                    await WriteAsync(run, message, directory).ConfigureAwait(false);
                    if (!receiveAndDelete)
                    {
                        await SettleAsync(receiver, message, settlement ?? "complete", run.Get(reason), run.CancellationToken).ConfigureAwait(false);
                    }

                    received.Add(view);
                }
            }

            if (run.Output.IsJson)
            {
                run.Output.WriteJson(received);
            }

            run.Console.Error.WriteLine($"received {received.Count} {(received.Count == 1 ? "message" : "messages")} from {address}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string? Settlement(bool complete, bool abandon, bool deadLetter)
    {
        var chosen = new[] { (complete, "complete"), (abandon, "abandon"), (deadLetter, "deadletter") }.Where(s => s.Item1).ToArray();
        return chosen.Length switch
        {
            0 => null,
            1 => chosen[0].Item2,
            _ => throw new CliUsageException("Give only one of --complete, --abandon and --deadletter."),
        };
    }

    private static async Task WriteAsync(CommandRun run, LoireReceivedMessage message, string? directory)
    {
        if (directory is not null)
        {
            var path = Path.Combine(directory, $"{message.SequenceNumber}.msg");
            await File.WriteAllBytesAsync(path, message.Body.ToMemory(), run.CancellationToken).ConfigureAwait(false);
            if (!run.Output.IsJson)
            {
                await run.Console.Out.WriteLineAsync(path).ConfigureAwait(false);
            }

            return;
        }

        if (!run.Output.IsJson)
        {
            await run.Console.WriteBytesAsync(message.Body.ToMemory(), run.CancellationToken).ConfigureAwait(false);
            await run.Console.Out.WriteLineAsync().ConfigureAwait(false);
        }
    }

    private static Task SettleAsync(LoireReceiver receiver, LoireReceivedMessage message, string settlement, string reason, CancellationToken cancellationToken) =>
        settlement switch
        {
            "abandon" => receiver.AbandonMessageAsync(message, cancellationToken),
            "deadletter" => receiver.DeadLetterMessageAsync(message, reason, null, cancellationToken),
            _ => receiver.CompleteMessageAsync(message, cancellationToken),
        };
}
