using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Loire.Client.Internal;
using Loire.Messages;
using Microsoft.Extensions.Logging;

namespace Loire.Client.Processing;

/// <summary>
/// One run of a <see cref="LoireProcessor"/>, from start to stop: the receive loop, the handler workers, lock renewal
/// and settlement. A stopped run is not restarted; the processor starts a new one.
/// </summary>
/// <remarks>
/// Flow control is credit based. The run owns <c>MaxConcurrentCalls + PrefetchCount</c> credits; a received message
/// holds one until it is settled (or handed back, or its handler returned without settling it). The receive loop asks
/// the broker for at most as many messages as it has credits (or, with push delivery, grants its delivery links at
/// most that many in all; see ProcessorRun.Push.cs), so the run never holds more than that many messages and a slow
/// handler is never flooded. With no credit left, the loop waits for one instead of polling.
/// </remarks>
internal sealed partial class ProcessorRun
{
    /// <summary>Most messages one receive call asks for (the broker's limit).</summary>
    private const int MaxMessagesPerReceive = 5_000;

    /// <summary>Shortest back-off after a failed receive, whatever the retry options say, so a persistent failure never spins.</summary>
    private static readonly TimeSpan MinReceiveBackOff = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How long a receive call must have been on its way before stopping cancels it. Orleans drops a cancellation that
    /// reaches the silo before the request it cancels; the broker would then keep the long poll parked, and the next
    /// message sent would be locked for a receiver that is gone. Waiting this long (only when a call was just sent)
    /// lets the request arrive first.
    /// </summary>
    private static readonly TimeSpan MinReceiveAgeBeforeCancel = TimeSpan.FromMilliseconds(50);

    private readonly LoireClient _client;
    private readonly LoireReceiver _receiver;
    private readonly LoireProcessorOptions _options;
    private readonly string _entityPath;
    private readonly Func<ProcessMessageEventArgs, Task> _processMessage;
    private readonly Func<ProcessErrorEventArgs, Task> _processError;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Cancels the receive call in flight; cancelled by <see cref="StopAsync"/> shortly after <see cref="_stopping"/>.</summary>
    private readonly CancellationTokenSource _receiveCancellation = new();
    private readonly SemaphoreSlim _credits;
    private readonly Channel<LoireReceivedMessage> _ready = Channel.CreateUnbounded<LoireReceivedMessage>(
        new UnboundedChannelOptions { SingleWriter = true, SingleReader = false });

    /// <summary>Messages a worker took from <see cref="_ready"/> but did not start because the run was stopping.</summary>
    private readonly ConcurrentQueue<LoireReceivedMessage> _notStarted = new();

    private readonly CompletionBatcher _completions;

    /// <summary>Completed when the last auto-completion is done once the run is stopping; see <see cref="_autoCompletions"/>.</summary>
    private readonly TaskCompletionSource _autoCompletionsDone = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Auto-completions on their way, plus one held by the run until its workers have ended.</summary>
    private int _autoCompletions = 1;

    private Task _receiveLoop = Task.CompletedTask;
    private Task[] _workers = [];

    /// <summary>Timestamp (of the client's time provider) when the receive call in flight was sent; 0 when none is.</summary>
    private long _receiveSentAt;

    /// <param name="client">The owning client (executor, clock, retry options, logging).</param>
    /// <param name="receiver">Receives and settles for the run; created for the processor with no prefetch of its own.</param>
    /// <param name="options">Validated options; not changed later.</param>
    /// <param name="processMessage">The message handler.</param>
    /// <param name="processError">The error handler.</param>
    /// <param name="logger">The processor's logger.</param>
    public ProcessorRun(
        LoireClient client,
        LoireReceiver receiver,
        LoireProcessorOptions options,
        Func<ProcessMessageEventArgs, Task> processMessage,
        Func<ProcessErrorEventArgs, Task> processError,
        ILogger logger)
    {
        _client = client;
        _receiver = receiver;
        _entityPath = receiver.EntityPath;
        _options = options;
        _processMessage = processMessage;
        _processError = processError;
        _logger = logger;
        _time = client.TimeProvider;
        _credits = new SemaphoreSlim(Capacity, Capacity);
        _completions = new CompletionBatcher(settlements => SettleAsync(settlements, "complete"));
    }

    /// <summary>Most messages the run holds at once: handlers plus prefetch (no prefetch in receive-and-delete mode).</summary>
    public int Capacity => _options.MaxConcurrentCalls + (PeekLock ? _options.PrefetchCount : 0);

    private bool PeekLock => _options.ReceiveMode == LoireReceiveMode.PeekLock;

    /// <summary>Starts the receive loop and the workers; returns at once.</summary>
    public void Start()
    {
        _receiveLoop = Task.Run(DeliveryLoopAsync);
        var workers = new Task[_options.MaxConcurrentCalls];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = Task.Run(WorkerLoopAsync);
        }

        _workers = workers;
        LogStarted(_logger, _entityPath, _options.MaxConcurrentCalls, _options.PrefetchCount, _options.ReceiveMode);
    }

    /// <summary>
    /// Stops the run: stops receiving at once, signals running handlers, waits for them and their settlements
    /// (auto-completions included), and gives back every message no handler started. Never throws.
    /// </summary>
    public async Task StopAsync()
    {
        LogStopping(_logger, _entityPath);
        try
        {
            // Tells handlers to finish and the receive loop to send no further call; the call in flight is cancelled next.
            _stopping.Cancel();
        }
        catch (AggregateException exception)
        {
            // A callback a handler registered on its token threw; stopping goes on.
            LogStopCallbackFailed(_logger, _entityPath, exception);
        }

        await CancelReceiveAsync().ConfigureAwait(false);
        await _receiveLoop.ConfigureAwait(false);
        _ready.Writer.TryComplete();
        await Task.WhenAll(_workers).ConfigureAwait(false);

        var giveBack = new List<LoireReceivedMessage>();
        while (_notStarted.TryDequeue(out var message))
        {
            giveBack.Add(message);
        }

        while (_ready.Reader.TryRead(out var message))
        {
            giveBack.Add(message);
        }

        if (giveBack.Count > 0)
        {
            await AbandonOnStopAsync(giveBack).ConfigureAwait(false);
        }

        // No worker is left to start another auto-completion: wait for those still on their way.
        if (Interlocked.Decrement(ref _autoCompletions) != 0)
        {
            await _autoCompletionsDone.Task.ConfigureAwait(false);
        }

        await _completions.CloseAsync().ConfigureAwait(false);
        LogStopped(_logger, _entityPath, giveBack.Count);
    }

    private async Task ReceiveLoopAsync()
    {
        // Spans of this run start from the message's trace context, never from whoever called StartProcessingAsync.
        Activity.Current = null;
        var stopping = _stopping.Token;
        var receiveToken = _receiveCancellation.Token;

        // One broker call per receive, so that stopping knows how long the call in flight has been on its way.
        var maxPerCall = _client.MaxWaitPerCall;
        var wait = _options.MaxReceiveWaitTime < maxPerCall ? _options.MaxReceiveWaitTime : maxPerCall;
        var failures = 0;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                await _credits.WaitAsync(stopping).ConfigureAwait(false);
                var credit = 1;
                while (credit < MaxMessagesPerReceive && _credits.Wait(0))
                {
                    credit++;
                }

                IReadOnlyList<LoireReceivedMessage> received;
                try
                {
                    // Publish the send time before checking for a stop (a full fence, paired with StopAsync), so a stop
                    // either sees this call or this loop sees the stop and sends nothing.
                    Interlocked.Exchange(ref _receiveSentAt, _time.GetTimestamp());
                    stopping.ThrowIfCancellationRequested();
                    received = await _receiver.ReceiveMessagesAsync(credit, wait, receiveToken).ConfigureAwait(false);
                    failures = 0;
                }
                catch (Exception exception)
                {
                    _credits.Release(credit);
                    if (exception is OperationCanceledException && (stopping.IsCancellationRequested || receiveToken.IsCancellationRequested))
                    {
                        return;
                    }

                    if (!await RecoverFromReceiveFailureAsync(exception, failures++, stopping).ConfigureAwait(false))
                    {
                        return;
                    }

                    continue;
                }
                finally
                {
                    Volatile.Write(ref _receiveSentAt, 0);
                }

                if (received.Count < credit)
                {
                    _credits.Release(credit - received.Count);
                }

                foreach (var message in received)
                {
                    // Unbounded, but never holds more than the run's credits; completed only after this loop ends.
                    _ready.Writer.TryWrite(message);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Cancels the receive call in flight (the broker puts back what it had not yet handed out), once that call has
    /// been on its way for <see cref="MinReceiveAgeBeforeCancel"/>. Called after <see cref="_stopping"/> is cancelled.
    /// </summary>
    private async Task CancelReceiveAsync()
    {
        var sentAt = Interlocked.Read(ref _receiveSentAt);
        if (sentAt != 0)
        {
            var age = _time.GetElapsedTime(sentAt);
            if (age < MinReceiveAgeBeforeCancel)
            {
                // Ends early when the call returns by itself meanwhile.
                await Task.WhenAny(_receiveLoop, Task.Delay(MinReceiveAgeBeforeCancel - age, _time)).ConfigureAwait(false);
            }
        }

        try
        {
            await _receiveCancellation.CancelAsync().ConfigureAwait(false);
        }
        catch (AggregateException exception)
        {
            LogStopCallbackFailed(_logger, _entityPath, exception);
        }
    }

    private async Task WorkerLoopAsync()
    {
        Activity.Current = null;
        var reader = _ready.Reader;
        while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            // Once stopping, a peek-lock run starts nothing new: StopAsync gives the rest back. A receive-and-delete
            // run handles what it holds, since those messages are already gone from the broker.
            if (PeekLock && _stopping.IsCancellationRequested)
            {
                return;
            }

            if (!reader.TryRead(out var message))
            {
                continue;
            }

            if (PeekLock && _stopping.IsCancellationRequested)
            {
                _notStarted.Enqueue(message);
                return;
            }

            try
            {
                await ProcessOneAsync(message).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                // A bug in the processor itself; keep the worker alive rather than lose a handler slot for good.
                LogWorkerFailed(_logger, _entityPath, exception);
                await ReportErrorAsync(exception, LoireErrorSource.Unknown).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Sends settlements in one broker call and returns the lock tokens that were lost; never cancelled by stopping.</summary>
    private ValueTask<Guid[]> SettleAsync(Settlement[] settlements, string operation) =>
        _receiver.SettleOnPartitionsAsync(settlements, operation, CancellationToken.None);

    private async Task AbandonOnStopAsync(List<LoireReceivedMessage> messages)
    {
        try
        {
            if (_client.IsClosed)
            {
                return;
            }

            var settlements = messages.Select(m => new Settlement(m.LockTokenGuid, SettlementKind.Abandon)).ToArray();
            await SettleAsync(settlements, "abandon").ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // Their locks run out by themselves; the broker then delivers them again.
            LogAbandonOnStopFailed(_logger, messages.Count, _entityPath, exception);
            await ReportErrorAsync(exception, LoireErrorSource.Abandon).ConfigureAwait(false);
        }
        finally
        {
            foreach (var message in messages)
            {
                ReleaseCredit(message);
            }
        }
    }

    /// <summary>
    /// Reports a failed receive (or delivery link call) and backs off; false, after saying so once, when the client is
    /// closed and nothing will ever be received again.
    /// </summary>
    private async Task<bool> RecoverFromReceiveFailureAsync(Exception exception, int failures, CancellationToken stopping)
    {
        if (exception is ObjectDisposedException || _client.IsClosed)
        {
            LogReceiverClosed(_logger, _entityPath);
            await ReportErrorAsync(exception, LoireErrorSource.Receive).ConfigureAwait(false);
            return false;
        }

        var delay = _client.Options.Retry.GetDelay(failures);
        if (delay < MinReceiveBackOff)
        {
            delay = MinReceiveBackOff;
        }

        LogReceiveFailed(_logger, _entityPath, delay, exception);
        await ReportErrorAsync(exception, LoireErrorSource.Receive).ConfigureAwait(false);
        await Task.Delay(delay, _time, stopping).ConfigureAwait(false);
        return true;
    }

    /// <summary>Hands an error to the error handler; whatever that handler throws is logged, never propagated.</summary>
    private async Task ReportErrorAsync(Exception exception, LoireErrorSource source)
    {
        try
        {
            await _processError(new ProcessErrorEventArgs(exception, source, _entityPath, _stopping.Token)).ConfigureAwait(false);
        }
        catch (Exception handlerException)
        {
            LogErrorHandlerFailed(_logger, _entityPath, source, handlerException);
        }
    }
}
