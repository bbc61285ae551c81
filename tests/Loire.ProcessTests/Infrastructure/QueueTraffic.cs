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
    private readonly List<TrafficCall> _calls = [];
    private readonly TimeSpan _sendPause;

    /// <param name="clock">Shared by every queue of a test, so times can be compared with the moment of a fault.</param>
    /// <param name="receiveWait">How long each receive long-polls an empty queue; 1 s when null.</param>
    /// <param name="sendPause">Pause after each acknowledged send; none when null, so the producer sends flat out.</param>
    /// <param name="pushed">Consume with a processor, which gets its messages pushed, instead of a receiver that long-polls.</param>
    public QueueTraffic(LoireClient client, string queue, Stopwatch clock, TimeSpan? receiveWait = null, TimeSpan? sendPause = null, bool pushed = false)
    {
        _client = client;
        Queue = queue;
        _clock = clock;
        ReceiveWait = receiveWait ?? TimeSpan.FromSeconds(1);
        _sendPause = sendPause ?? TimeSpan.Zero;
        Pushed = pushed;
    }

    /// <summary>True when a processor consumes (push delivery), false for a long-polling receiver.</summary>
    public bool Pushed { get; }

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

    /// <summary>How long each receive waits for messages when the queue is empty; its calls may take that long.</summary>
    public TimeSpan ReceiveWait { get; }

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
                Called("send", started);
                lock (_acknowledged)
                {
                    _acknowledged.Add(index);
                    _sendTimes.Add(_clock.Elapsed);
                    _sendStarts.Add(started);
                }

                if (_sendPause > TimeSpan.Zero)
                {
                    await Task.Delay(_sendPause, stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Neither acknowledged nor refused: the books count it as not acknowledged. Its time still counts, so a
                // call stuck until the end shows.
                Called("send", started);
            }
            catch (Exception exception)
            {
                Called("send", started);
                Fail("send", started, exception);
            }
        }
    }

    /// <summary>Receives in peek-lock batches and completes them (or lets a processor do so) until <paramref name="stop"/>.</summary>
    public async Task ConsumeAsync(CancellationToken stop)
    {
        if (Pushed)
        {
            await ProcessAsync(stop);
            return;
        }

        var receiver = _client.CreateReceiver(Queue);
        while (!stop.IsCancellationRequested)
        {
            var started = _clock.Elapsed;
            var operation = "receive";
            var allowed = ReceiveWait;
            try
            {
                var batch = await receiver.ReceiveMessagesAsync(100, ReceiveWait, stop);
                Called(operation, started, allowed);
                lock (_received)
                {
                    _received.AddRange(batch.Select(IndexedMessages.IndexOf));
                }

                if (batch.Count > 0)
                {
                    started = _clock.Elapsed;
                    (operation, allowed) = ("complete", TimeSpan.Zero);
                    await receiver.CompleteMessagesAsync(batch, stop);
                    Called(operation, started, allowed);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                Called(operation, started, allowed);
            }
            catch (Exception exception)
            {
                // A batch whose completion failed comes back when its locks expire: a duplicate, not a loss.
                Called(operation, started, allowed);
                Fail("receive/complete", started, exception);
            }
        }
    }

    /// <summary>A processor with prefetch records what it is handed and completes it; what it reports as failed counts as a failed call.</summary>
    private async Task ProcessAsync(CancellationToken stop)
    {
        await using var processor = _client.CreateProcessor(Queue, new LoireProcessorOptions { MaxConcurrentCalls = 4, PrefetchCount = 50 });
        processor.ProcessMessageAsync += args =>
        {
            lock (_received)
            {
                _received.Add(IndexedMessages.IndexOf(args.Message));
            }

            return Task.CompletedTask;
        };
        processor.ProcessErrorAsync += args =>
        {
            Fail($"process/{args.ErrorSource}", _clock.Elapsed, args.Exception);
            return Task.CompletedTask;
        };
        await processor.StartProcessingAsync(stop);
        try
        {
            await Task.Delay(Timeout.Infinite, stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }

        await processor.StopProcessingAsync();
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

    /// <summary>
    /// The call that was stuck longest beyond the wait it asked for (a receive's <see cref="ReceiveWait"/>), among the
    /// calls running at some time between <paramref name="from"/> and <paramref name="to"/>, answered or failed; null
    /// when none ran then.
    /// </summary>
    public TrafficCall? LongestCallDuring(TimeSpan from, TimeSpan to)
    {
        lock (_calls)
        {
            return _calls.Where(c => c.Started <= to && c.Started + c.Duration >= from).MaxBy(c => c.Stranded);
        }
    }

    private void Called(string operation, TimeSpan started, TimeSpan allowed = default)
    {
        lock (_calls)
        {
            _calls.Add(new TrafficCall(Queue, operation, started, _clock.Elapsed - started, allowed));
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

/// <summary>One call of <see cref="QueueTraffic"/>: when it started, how long it took, and how long it was allowed to wait.</summary>
public sealed record TrafficCall(string Queue, string Operation, TimeSpan Started, TimeSpan Duration, TimeSpan Allowed)
{
    /// <summary>How long the call took beyond the wait it asked for.</summary>
    public TimeSpan Stranded => Duration > Allowed ? Duration - Allowed : TimeSpan.Zero;

    public override string ToString() =>
        $"{Queue} {Operation} started {Started.TotalSeconds:0.00} s took {Duration.TotalMilliseconds:0} ms (allowed {Allowed.TotalMilliseconds:0} ms)";
}

/// <summary>An operation of <see cref="QueueTraffic"/> that threw: when it started, how long it took, and why.</summary>
public sealed record TrafficFailure(string Operation, TimeSpan Started, TimeSpan Duration, Exception Exception)
{
    public bool IsTransientLoireError => Exception is LoireException { IsTransient: true };

    public bool IsLockLostOnSettle => Operation is "receive/complete" or "process/Complete" && Exception is LoireException { Reason: LoireErrorReason.MessageLockLost };

    public override string ToString() =>
        $"{Started.TotalSeconds:0.00} s {Operation} ({Duration.TotalMilliseconds:0} ms): "
        + (Exception is LoireException e ? $"{e.Reason}: {e.Message}" : $"{Exception.GetType().Name}: {Exception.Message}");
}
