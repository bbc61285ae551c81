using System.Diagnostics;
using Loire.Client;

namespace Loire.LoadGen;

/// <summary>
/// Sends a range of indexed messages through one sender: <c>--batch</c> messages per send call, at most
/// <c>--window</c> calls outstanding (like publisher confirms), optionally paced to a fixed rate.
/// </summary>
/// <param name="acknowledgements">When set, how long each measured (not warm-up) send waited for its acknowledgement.</param>
internal sealed class Producer(LoireClient client, string entity, LoadOptions options, RunCounters counters, LatencyRecorder? acknowledgements = null)
{
    /// <param name="firstIndex">Index of the first message (indexes are unique within the run).</param>
    /// <param name="count">How many messages to send.</param>
    /// <param name="rate">Messages per second for this producer; 0 sends as fast as the window allows.</param>
    /// <param name="warmUp">Messages sent this soon after the start are marked as warm-up.</param>
    /// <param name="cancellationToken">Stops sending.</param>
    public async Task SendAsync(int firstIndex, int count, double rate, TimeSpan warmUp, CancellationToken cancellationToken)
    {
        await using var sender = client.CreateSender(entity);
        using var window = new SemaphoreSlim(options.Window);
        Exception? failure = null;
        var started = Stopwatch.GetTimestamp();
        for (var sent = 0; sent < count && failure is null; sent += options.Batch)
        {
            if (rate > 0)
            {
                await WaitTurnAsync(sent, rate, started, cancellationToken);
            }

            await window.WaitAsync(cancellationToken);
            var warm = Stopwatch.GetElapsedTime(started) < warmUp;
            var bodies = new byte[Math.Min(options.Batch, count - sent)][];
            for (var i = 0; i < bodies.Length; i++)
            {
                bodies[i] = Payload.Create(options.Size, firstIndex + sent + i, warm);
            }

            _ = SendBatchAsync(sender, bodies, window, e => failure ??= e, cancellationToken);
        }

        // Every send has completed once the whole window is free again.
        for (var i = 0; i < options.Window; i++)
        {
            await window.WaitAsync(cancellationToken);
        }

        if (failure is not null)
        {
            throw new InvalidOperationException($"A send failed: {failure.Message}", failure);
        }
    }

    private async Task SendBatchAsync(LoireSender sender, byte[][] bodies, SemaphoreSlim window, Action<Exception> fail, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var body in bodies)
            {
                Payload.Stamp(body);
            }

            if (bodies.Length == 1)
            {
                await sender.SendMessageAsync(new LoireMessage(bodies[0]), cancellationToken);
            }
            else
            {
                await sender.SendMessagesAsync(bodies.Select(b => new LoireMessage(b)), cancellationToken);
            }

            counters.AddSent(bodies.Length);
            if (acknowledgements is not null)
            {
                var now = Stopwatch.GetTimestamp();
                foreach (var body in bodies)
                {
                    if (Payload.LatencyMilliseconds(body, now) is { } milliseconds)
                    {
                        acknowledgements.Add(milliseconds);
                    }
                }
            }
        }
        catch (Exception exception)
        {
            fail(exception);
        }
        finally
        {
            window.Release();
        }
    }

    /// <summary>Waits until message <paramref name="index"/> is due; the 1 ms timer makes messages leave in small bursts.</summary>
    private static async Task WaitTurnAsync(int index, double rate, long started, CancellationToken cancellationToken)
    {
        while (index >= Stopwatch.GetElapsedTime(started).TotalSeconds * rate)
        {
            await Task.Delay(1, cancellationToken);
        }
    }
}
