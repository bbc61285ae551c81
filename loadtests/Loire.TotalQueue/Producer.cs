using System.Diagnostics;
using System.Globalization;
using System.Text;
using Loire.Client;

namespace Loire.TotalQueue;

/// <summary>
/// Sends single messages with unique ids to one queue or the topic at a fixed rate until stopped. A message counts as
/// acknowledged, in the books of every destination it is for, only once its send returned success; a failed send is
/// not retried beyond the client's own retries (the next message gets the next index), so it may still arrive.
/// </summary>
internal sealed class Producer(LoireClient client, string entity, IReadOnlyList<DestinationBooks> destinations, FailureLog failures,
    Stopwatch clock, int sendRate)
{
    private readonly Lock _gate = new();
    private readonly List<TimeSpan> _sendStarts = [];
    private readonly List<TimeSpan> _sendEnds = [];

    public string Entity => entity;

    public async Task RunAsync(CancellationToken stop)
    {
        var sender = client.CreateSender(entity);
        var interval = TimeSpan.FromSeconds(1.0 / sendRate);
        var next = clock.Elapsed;
        for (var index = 0; !stop.IsCancellationRequested; index++)
        {
            // Paced from a fixed schedule, but never catching up in a burst after a stall.
            next = TimeSpan.FromTicks(Math.Max(next.Ticks + interval.Ticks, clock.Elapsed.Ticks));
            var started = clock.Elapsed;
            try
            {
                await sender.SendMessageAsync(Message(entity, index), stop);
                var acknowledged = clock.Elapsed;
                foreach (var destination in destinations)
                {
                    destination.Acknowledge(index, acknowledged);
                }

                lock (_gate)
                {
                    _sendStarts.Add(started);
                    _sendEnds.Add(acknowledged);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                failures.Add(clock.Elapsed, "send", exception);
            }

            if (next - clock.Elapsed is { Ticks: > 0 } wait)
            {
                try
                {
                    await Task.Delay(wait, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>How long after <paramref name="moment"/> the first send that started after it was acknowledged; null while none was.</summary>
    public TimeSpan? FirstSendAfter(TimeSpan moment)
    {
        lock (_gate)
        {
            var first = _sendStarts.FindIndex(t => t > moment);
            return first < 0 ? null : _sendEnds[first] - moment;
        }
    }

    /// <summary>The longest wait between two acknowledged sends that ends between <paramref name="from"/> and <paramref name="to"/>.</summary>
    public TimeSpan LongestGap(TimeSpan from, TimeSpan to)
    {
        lock (_gate)
        {
            var gap = TimeSpan.Zero;
            for (var i = 1; i < _sendEnds.Count; i++)
            {
                if (_sendEnds[i] >= from && _sendEnds[i] < to && _sendEnds[i] - _sendEnds[i - 1] > gap)
                {
                    gap = _sendEnds[i] - _sendEnds[i - 1];
                }
            }

            return gap;
        }
    }

    public static int IndexOf(LoireReceivedMessage message) =>
        int.Parse(Encoding.UTF8.GetString(message.Body.ToArray()), CultureInfo.InvariantCulture);

    private static LoireMessage Message(string entity, int index) =>
        new(Encoding.UTF8.GetBytes(index.ToString(CultureInfo.InvariantCulture))) { MessageId = $"{entity}-{index}" };
}
