using System.CommandLine;
using Loire.Cli.Infrastructure;
using Loire.Cli.Output;
using Loire.Client;

namespace Loire.Cli.Commands.Messages;

/// <summary>
/// <c>loire send ENTITY [--body TEXT | --file PATH | stdin] [--lines] [--count N] [properties]</c>: one message from the
/// whole input, or one per line; <c>--count</c> repeats each. Sent in durable batches, so a failure leaves whole batches.
/// </summary>
internal static class SendCommand
{
    private const int BatchSize = 100;

    public static Command Create(CliContext context)
    {
        var entity = new Argument<string>("entity") { Description = "Queue or topic to send to" };
        var body = new Option<string?>("--body", "-b") { Description = "The body as text" };
        var file = new Option<string?>("--file", "-f") { Description = "Read the body from this file ('-' for stdin)" };
        var lines = new Option<bool>("--lines") { Description = "One message per line of the input (empty lines skipped)" };
        var count = new Option<int>("--count", "-n") { Description = "Send each message this many times", DefaultValueFactory = _ => 1 };
        var flags = new MessageFlags();
        var command = new Command("send", "Send messages from --body, a file or stdin") { entity, body, file, lines, count };
        flags.AddTo(command);
        context.SetBrokerAction(command, async run =>
        {
            if (run.Get(count) < 1)
            {
                throw new CliUsageException("--count must be at least 1.");
            }

            if (run.Get(body) is not null && run.Get(file) is not null)
            {
                throw new CliUsageException("Give --body or --file, not both.");
            }

            var input = await ReadInputAsync(run, run.Get(body), run.Get(file)).ConfigureAwait(false);
            var bodies = run.Get(lines) ? SplitLines(input) : [input];
            var total = bodies.Count * run.Get(count);
            var factory = flags.Factory(run, total);
            var messages = Enumerable.Range(0, total).Select(i => factory(bodies[i % bodies.Count], i)).ToList();

            var client = await run.ClientAsync().ConfigureAwait(false);
            await using var sender = client.CreateSender(run.Get(entity));
            var sent = await BulkProgress.RunAsync(run.Console, $"send to {run.Get(entity)}", total, async report =>
            {
                var done = 0;
                foreach (var batch in messages.Chunk(BatchSize))
                {
                    await sender.SendMessagesAsync(batch, run.CancellationToken).ConfigureAwait(false);
                    done += batch.Length;
                    report(done);
                }

                return done;
            }).ConfigureAwait(false);
            run.Output.WriteOutcome($"sent {sent} {(sent == 1 ? "message" : "messages")} to {run.Get(entity)}", new { entity = run.Get(entity), sent });
        });
        return command;
    }

    private static async Task<ReadOnlyMemory<byte>> ReadInputAsync(CommandRun run, string? body, string? file)
    {
        if (body is not null)
        {
            return System.Text.Encoding.UTF8.GetBytes(body);
        }

        if (file is not null and not "-")
        {
            if (!File.Exists(file))
            {
                throw new CliUsageException($"--file: {file} does not exist.");
            }

            return await File.ReadAllBytesAsync(file, run.CancellationToken).ConfigureAwait(false);
        }

        using var buffer = new MemoryStream();
        await run.Console.Input.CopyToAsync(buffer, run.CancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }

    private static List<ReadOnlyMemory<byte>> SplitLines(ReadOnlyMemory<byte> input)
    {
        var lines = new List<ReadOnlyMemory<byte>>();
        var rest = input;
        while (!rest.IsEmpty)
        {
            var end = rest.Span.IndexOf((byte)'\n');
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? ReadOnlyMemory<byte>.Empty : rest[(end + 1)..];
            if (!line.IsEmpty && line.Span[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            if (!line.IsEmpty)
            {
                lines.Add(line);
            }
        }

        return lines.Count > 0 ? lines : throw new CliUsageException("--lines: the input has no non-empty line.");
    }
}
