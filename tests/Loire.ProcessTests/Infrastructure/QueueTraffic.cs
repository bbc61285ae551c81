using System.Diagnostics;
using Loire.Client;

namespace Loire.ProcessTests.Infrastructure;

/// <summary>
/// One producer and one consumer on one queue, running until stopped, keeping the books a fault test needs: which
/// indexes the broker acknowledged, which arrived (with repeats), when sends succeeded and what failed.
/// </summary>
public sealed class QueueTraffic
{
    private readonly LoireClient _client;
    private readonly Stopwatch _clock;
    private readonly HashSet<int> _acknowledged = [];
    private readonly List<int> _received = [];
    private readonly List<TimeSpan> _sendTimes = [];
    private readonly List<TimeSpan> _sendStarts = [];
    private readonly List<TrafficFailure> _failures = [];

    /// <param name="clock">Shared by every queue of a test, so times can be compared with the moment of a fault.</param>
    public QueueTraffic(LoireClient client, string queue, Stopwatch clock)
    {
        _client = client;
        Queue = queue;
        _clock = clock;
    }

    public string Queue { get; }

    public int AcknowledgedCount
    {
        get { lock (_acknowledged) { return _acknowledged.Count; } }
    }

    public int ReceivedCount
    {
        get { lock (_received) { return _received.Count; } }
    }

    public IReadOnlyList<TrafficFailure> Failures
    {
        get { lock (_failures) { return [.. _failures]; } }
    }

    /// <summary>Sends single messages with fixed MessageIds one after the other until <paramref name="stop"/>.</summary>
    public async Task ProduceAsync(CancellationToken stop)
    {
        var sender = _client.CreateSender(Queue);
        for (var index = 0; !stop.IsCancellationRequested; index++)
        {
            var started = _clock.Elapsed;
            try
            {
                await sender.SendMessageAsync(IndexedMessages.Create(index), stop);
                lock (_acknowledged)
                {
                    _acknowledged.Add(index);
                    _sendTimes.Add(_clock.Elapsed);
                    _sendStarts.Add(started);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Neither acknowledged nor refused: the books count it as not acknowledged.
            }
            catch (Exception exception)
            {
                Fail("send", started, exception);
            }
        }
    }

    /// <summary>Receives in peek-lock batches and completes them until <paramref name="stop"/>.</summary>
    public async Task ConsumeAsync(CancellationToken stop)
    {
        var receiver = _client.CreateReceiver(Queue);
        while (!stop.IsCancellationRequested)
        {
            var started = _clock.Elapsed;
            try
            {
                var batch = await receiver.ReceiveMessagesAsync(100, TimeSpan.FromSeconds(1), stop);
                lock (_received)
                {
                    _received.AddRange(batch.Select(IndexedMessages.IndexOf));
                }

                if (batch.Count > 0)
                {
                    started = _clock.Elapsed;
                    await receiver.CompleteMessagesAsync(batch, stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (Exception exception)
            {
                // A batch whose completion failed comes back when its locks expire: a duplicate, not a loss.
                Fail("receive/complete", started, exception);
            }
        }
    }

    /// <summary>Acknowledged indexes that have not arrived.</summary>
    public List<int> Missing()
    {
        lock (_acknowledged)
        lock (_received)
        {
            return [.. _acknowledged.Except(_received)];
        }
    }

    /// <summary>Arrivals beyond the first of each index.</summary>
    public int Duplicates()
    {
        lock (_received)
        {
            return _received.Count - _received.Distinct().Count();
        }
    }

    /// <summary>
    /// How long after <paramref name="moment"/> the first send that started after it was acknowledged; null while none
    /// was. A send already in flight at the moment does not count: it may have been answered just before a fault.
    /// </summary>
    public TimeSpan? FirstSendAfter(TimeSpan moment)
    {
        lock (_acknowledged)
        {
            var first = _sendStarts.FindIndex(t => t > moment);
            return first < 0 ? null : _sendTimes[first] - moment;
        }
    }

    /// <summary>The longest wait between two acknowledged sends that ends after <paramref name="moment"/>.</summary>
    public TimeSpan LongestSendGapSince(TimeSpan moment)
    {
        lock (_acknowledged)
        {
            var gap = TimeSpan.Zero;
            for (var i = 1; i < _sendTimes.Count; i++)
            {
                if (_sendTimes[i] > moment && _sendTimes[i] - _sendTimes[i - 1] > gap)
                {
                    gap = _sendTimes[i] - _sendTimes[i - 1];
                }
            }

            return gap;
        }
    }

    private void Fail(string operation, TimeSpan started, Exception exception)
    {
        lock (_failures)
        {
            _failures.Add(new TrafficFailure(operation, started, _clock.Elapsed - started, exception));
        }
    }
}

/// <summary>An operation of <see cref="QueueTraffic"/> that threw: when it started, how long it took, and why.</summary>
public sealed record TrafficFailure(string Operation, TimeSpan Started, TimeSpan Duration, Exception Exception)
{
    public bool IsTransientLoireError => Exception is LoireException { IsTransient: true };

    public bool IsLockLostOnSettle => Operation == "receive/complete" && Exception is LoireException { Reason: LoireErrorReason.MessageLockLost };

    public override string ToString() =>
        $"{Started.TotalSeconds:0.00} s {Operation} ({Duration.TotalMilliseconds:0} ms): "
        + (Exception is LoireException e ? $"{e.Reason}: {e.Message}" : $"{Exception.GetType().Name}: {Exception.Message}");
}
