using Loire.Client.Processing;
using Microsoft.Extensions.Logging;

namespace Loire.Client;

/// <summary>
/// Pushes the messages of one queue or subscription to a handler: receives with long polls, runs up to
/// <see cref="LoireProcessorOptions.MaxConcurrentCalls"/> handlers at once, completes or abandons what they leave
/// unsettled, renews locks while handlers run, and drains in-flight work on stop. Created by
/// <see cref="LoireClient.CreateProcessor(string, LoireProcessorOptions?)"/>.
/// </summary>
/// <remarks>
/// <para>
/// Set <see cref="ProcessMessageAsync"/> and <see cref="ProcessErrorAsync"/>, then call
/// <see cref="StartProcessingAsync"/>. The processor holds at most <see cref="LoireProcessorOptions.MaxConcurrentCalls"/>
/// + <see cref="LoireProcessorOptions.PrefetchCount"/> received but unsettled messages; it asks the broker for no more
/// than that, so a slow handler is never flooded, and it never polls while idle (each receive waits up to
/// <see cref="LoireProcessorOptions.MaxReceiveWaitTime"/> on the broker).
/// </para>
/// <para>
/// <see cref="StopProcessingAsync"/> stops receiving at once, cancels <see cref="ProcessMessageEventArgs.CancellationToken"/>,
/// gives back the messages no handler started, and returns once every running handler has returned and its message is
/// settled. Afterwards nothing this processor received is locked, except messages a handler left unsettled with
/// <see cref="LoireProcessorOptions.AutoCompleteMessages"/> off. A stopped processor can be started again.
/// </para>
/// <para>
/// The error handler may be called concurrently (for example by several failing handlers); what it throws is logged
/// and otherwise ignored. A handler must not await <see cref="StopProcessingAsync"/> or <see cref="DisposeAsync"/> of
/// its own processor: stopping waits for that very handler.
/// </para>
/// </remarks>
public class LoireProcessor : IAsyncDisposable
{
    private readonly object _sync = new();
    private readonly LoireClient _client = null!;
    private readonly LoireReceiver _receiver = null!;
    private readonly LoireProcessorOptions _options = null!;
    private readonly ILogger _logger = null!;
    private Func<ProcessMessageEventArgs, Task>? _processMessage;
    private Func<ProcessErrorEventArgs, Task>? _processError;
    private ProcessorRun? _run;
    private TaskCompletionSource? _stopped;
    private bool _closed;

    /// <summary>For mocking: creates a processor that is not connected to anything.</summary>
    protected LoireProcessor()
    {
    }

    /// <param name="client">The owning client.</param>
    /// <param name="grainPath">Path of the queue or subscription (no dead-letter suffix).</param>
    /// <param name="options">Options; copied and validated.</param>
    internal LoireProcessor(LoireClient client, string grainPath, LoireProcessorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Clone();
        _options.Validate();
        _client = client;

        // The processor does its own (credit-based) prefetching; its receiver fetches exactly what it is asked for.
        _receiver = new LoireReceiver(client, grainPath, new LoireReceiverOptions
        {
            ReceiveMode = _options.ReceiveMode,
            PrefetchCount = 0,
            SubQueue = _options.SubQueue,
        });
        _logger = client.LoggerFactory.CreateLogger<LoireProcessor>();
    }

    /// <summary>
    /// The message handler. Exactly one must be set before <see cref="StartProcessingAsync"/>; it cannot be changed
    /// while the processor runs. Called concurrently, up to <see cref="MaxConcurrentCalls"/> at a time.
    /// </summary>
    /// <exception cref="InvalidOperationException">The processor is running.</exception>
    /// <exception cref="NotSupportedException">A handler is already set (remove it first).</exception>
    /// <exception cref="ArgumentException">Removing a handler that is not the one set.</exception>
    public event Func<ProcessMessageEventArgs, Task> ProcessMessageAsync
    {
        add => SetHandler(ref _processMessage, value, nameof(ProcessMessageAsync));
        remove => RemoveHandler(ref _processMessage, value, nameof(ProcessMessageAsync));
    }

    /// <summary>
    /// The error handler: told about every error the processor meets (failed receives, handler exceptions, failed
    /// settlements and lock renewals). Exactly one must be set before <see cref="StartProcessingAsync"/>; it cannot be
    /// changed while the processor runs.
    /// </summary>
    /// <exception cref="InvalidOperationException">The processor is running.</exception>
    /// <exception cref="NotSupportedException">A handler is already set (remove it first).</exception>
    /// <exception cref="ArgumentException">Removing a handler that is not the one set.</exception>
    public event Func<ProcessErrorEventArgs, Task> ProcessErrorAsync
    {
        add => SetHandler(ref _processError, value, nameof(ProcessErrorAsync));
        remove => RemoveHandler(ref _processError, value, nameof(ProcessErrorAsync));
    }

    /// <summary>Path this processor reads: the queue or <c>topic/subscriptions/name</c>, plus <c>/$deadletterqueue</c> for the dead-letter queue.</summary>
    public virtual string EntityPath => _receiver.EntityPath;

    /// <summary>True from <see cref="StartProcessingAsync"/> until <see cref="StopProcessingAsync"/> is called.</summary>
    public virtual bool IsProcessing
    {
        get
        {
            lock (_sync)
            {
                return _run is not null && _stopped is null;
            }
        }
    }

    /// <summary>True while the current run gets its messages pushed through a delivery link (tests and diagnostics).</summary>
    internal bool IsPushing
    {
        get
        {
            lock (_sync)
            {
                return _run?.IsPushing == true;
            }
        }
    }

    /// <summary>True once the processor or its client has been closed; it cannot be started again.</summary>
    public virtual bool IsClosed => _closed || _client.IsClosed;

    /// <summary>Most handler calls running at the same time.</summary>
    public virtual int MaxConcurrentCalls => _options.MaxConcurrentCalls;

    /// <summary>How many messages the processor may hold ahead of its handlers.</summary>
    public virtual int PrefetchCount => _options.PrefetchCount;

    /// <summary>Whether messages a handler leaves unsettled are completed.</summary>
    public virtual bool AutoCompleteMessages => _options.AutoCompleteMessages;

    /// <summary>How long after receipt locks are renewed while a handler runs; zero when renewal is off.</summary>
    public virtual TimeSpan MaxAutoLockRenewalDuration => _options.MaxAutoLockRenewalDuration;

    /// <summary>Whether received messages are locked or removed.</summary>
    public virtual LoireReceiveMode ReceiveMode => _options.ReceiveMode;

    /// <summary>
    /// Starts receiving and dispatching messages in the background and returns at once. Errors met while running go
    /// to <see cref="ProcessErrorAsync"/>.
    /// </summary>
    /// <param name="cancellationToken">Cancels starting (when already cancelled, nothing starts).</param>
    /// <exception cref="InvalidOperationException">A handler is missing, or the processor is already running or still stopping.</exception>
    /// <exception cref="ObjectDisposedException">The processor or its client was closed.</exception>
    public virtual Task StartProcessingAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_sync)
        {
            ObjectDisposedException.ThrowIf(IsClosed, this);
            if (_run is not null)
            {
                throw new InvalidOperationException(_stopped is null
                    ? $"The processor for '{EntityPath}' is already running."
                    : $"The processor for '{EntityPath}' is still stopping; await StopProcessingAsync before starting it again.");
            }

            var processMessage = _processMessage ?? throw new InvalidOperationException(
                $"Set {nameof(ProcessMessageAsync)} before starting the processor for '{EntityPath}'.");
            var processError = _processError ?? throw new InvalidOperationException(
                $"Set {nameof(ProcessErrorAsync)} before starting the processor for '{EntityPath}': errors must go somewhere.");
            var run = new ProcessorRun(_client, _receiver, _options, processMessage, processError, _logger);
            _run = run;
            run.Start();
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops processing: receives no more messages, cancels <see cref="ProcessMessageEventArgs.CancellationToken"/>,
    /// gives back prefetched messages no handler started, and returns once running handlers have returned and their
    /// messages are settled. Does nothing when not running; concurrent calls all wait for the same stop.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (the processor still stops in the background).</param>
    public virtual async Task StopProcessingAsync(CancellationToken cancellationToken = default)
    {
        ProcessorRun run;
        TaskCompletionSource stopped;
        var first = false;
        lock (_sync)
        {
            if (_run is null)
            {
                return;
            }

            run = _run;
            if (_stopped is null)
            {
                _stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                first = true;
            }

            stopped = _stopped;
        }

        if (first)
        {
            _ = StopRunAsync(run, stopped);
        }

        await stopped.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops processing (see <see cref="StopProcessingAsync"/>) and closes the processor for good.</summary>
    /// <param name="cancellationToken">Stops waiting for the stop (the processor still stops in the background).</param>
    public virtual async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        lock (_sync)
        {
            _closed = true;
        }

        await StopProcessingAsync(cancellationToken).ConfigureAwait(false);
        await _receiver.CloseAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops processing and closes the processor (see <see cref="CloseAsync"/>). Safe to call more than once and concurrently with <see cref="StopProcessingAsync"/>.</summary>
    public virtual async ValueTask DisposeAsync()
    {
        await CloseAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc />
    public override string ToString() => $"LoireProcessor({EntityPath}, {ReceiveMode})";

    private async Task StopRunAsync(ProcessorRun run, TaskCompletionSource stopped)
    {
        try
        {
            await run.StopAsync().ConfigureAwait(false);
        }
        finally
        {
            lock (_sync)
            {
                _run = null;
                _stopped = null;
            }

            stopped.TrySetResult();
        }
    }

    private void SetHandler<T>(ref T? handler, T value, string name)
        where T : Delegate
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_sync)
        {
            EnsureNotRunning(name);
            if (handler is not null)
            {
                throw new NotSupportedException($"{name} already has a handler; remove it before adding another.");
            }

            handler = value;
        }
    }

    private void RemoveHandler<T>(ref T? handler, T value, string name)
        where T : Delegate
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_sync)
        {
            EnsureNotRunning(name);
            if (handler is null || !handler.Equals(value))
            {
                throw new ArgumentException($"This handler is not the one set for {name}.", nameof(value));
            }

            handler = null;
        }
    }

    private void EnsureNotRunning(string name)
    {
        if (_run is not null)
        {
            throw new InvalidOperationException($"{name} cannot be changed while the processor for '{EntityPath}' is running; stop it first.");
        }
    }
}
