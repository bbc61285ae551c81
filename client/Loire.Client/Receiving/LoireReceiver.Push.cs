using Loire.Client.Delivery;
using Loire.Client.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Loire.Client;

/// <summary>
/// Pushed prefetch (<see cref="LoireReceiverOptions.DeliveryMode"/>): a peek-lock receiver with a
/// <see cref="PrefetchCount"/> of at least the entity's partition count opens delivery links on its first receive that may
/// wait (see <see cref="DeliveryLinkSet"/>), with the prefetch count as their credit. The broker pushes messages into
/// the prefetch buffer as they arrive; a message gives its credit back when a receive hands it out (or drops it because
/// its lock is about to expire), so the buffer never holds more than the prefetch count and a receiver that stops
/// receiving stops being pushed to. The links stay open until the receiver closes. When a link call fails the receiver
/// polls (its receives report what is wrong) and tries push again later.
/// </summary>
public partial class LoireReceiver : IDeliveryLinkConsumer
{
    /// <summary>How long a receiver polls after its links failed (or could not be opened) before it tries push again.</summary>
    private static readonly TimeSpan PushRetryPause = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _linksStart = new(1, 1);
    private volatile DeliveryLinkSet? _links;
    private CancellationTokenSource? _linksStopping;
    private Task _linksRun = Task.CompletedTask;

    /// <summary>Timestamp (of the client's time provider) before which no links are opened again; 0 at first.</summary>
    private long _pushRetryAt;

    /// <summary>Completed (and replaced) whenever pushed messages enter the buffer or the links stop; guarded by the buffer's lock.</summary>
    private TaskCompletionSource _pushArrival = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>True while the broker pushes this receiver's prefetch.</summary>
    internal bool IsPushing => _links is not null;

    /// <summary>Whether this receiver's prefetch may be pushed; a session receiver's never is (its session's grain hands out messages in order).</summary>
    private protected virtual bool CanPush => PrefetchEnabled && _deliveryMode == LoireDeliveryMode.Push;

    /// <summary>The running links, opening them when there are none and push is possible; null to poll.</summary>
    private async ValueTask<DeliveryLinkSet?> GetLinksAsync(CancellationToken cancellationToken)
    {
        if (_links is { } running)
        {
            return running;
        }

        if (!CanPush || _client.TimeProvider.GetTimestamp() < Volatile.Read(ref _pushRetryAt))
        {
            return null;
        }

        await _linksStart.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_links is { } opened)
            {
                return opened;
            }

            if (IsClosed)
            {
                return null;
            }

            var links = await DeliveryLinkSet.CreateAsync(_client, this, _prefetchCount, this, _logger, cancellationToken).ConfigureAwait(false);
            if (links is null)
            {
                PausePush();
                return null;
            }

            var stopping = new CancellationTokenSource();
            _linksStopping = stopping;
            _links = links;
            _linksRun = RunLinksAsync(links, stopping);
            return links;
        }
        finally
        {
            _linksStart.Release();
        }
    }

    private async Task RunLinksAsync(DeliveryLinkSet links, CancellationTokenSource stopping)
    {
        try
        {
            // The links open off the receive that started them, which goes on to wait for their pushes.
            await Task.Yield();
            await links.RunAsync(stopping.Token).ConfigureAwait(false);
        }
        finally
        {
            _links = null;
            if (!_closed)
            {
                PausePush();
            }

            WakePushWaiters();
        }
    }

    private void PausePush() => Volatile.Write(ref _pushRetryAt, _client.TimeProvider.GetTimestamp() + (long)(PushRetryPause.TotalSeconds * _client.TimeProvider.TimestampFrequency));

    /// <summary>
    /// Waits up to <paramref name="wait"/> (from <paramref name="started"/>) for pushed messages and takes up to
    /// <paramref name="maxMessages"/>; empty when none came, null when
    /// the caller polls instead: the links stopped meanwhile, or the receive must not wait.
    /// </summary>
    private async Task<List<LoireReceivedMessage>?> ReceivePushedAsync(DeliveryLinkSet links, int maxMessages, TimeSpan wait, long started, CancellationToken cancellationToken)
    {
        var time = _client.TimeProvider;
        while (true)
        {
            Task arrival;
            lock (_prefetched)
            {
                // Taken before looking, so messages that come in between complete it.
                arrival = _pushArrival.Task;
            }

            var taken = TakePrefetched(maxMessages);
            if (taken.Count > 0)
            {
                return taken;
            }

            if (_links != links)
            {
                return null;
            }

            var remaining = wait - time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                // A receive that must not wait asks the broker for what is there now.
                return wait == TimeSpan.Zero ? null : taken;
            }

            try
            {
                await arrival.WaitAsync(remaining, time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return taken;
            }
        }
    }

    bool IDeliveryLinkConsumer.TryAccept(DeliveryLinkSet links, List<LoireReceivedMessage> messages)
    {
        lock (_prefetched)
        {
            if (_closed)
            {
                return false;
            }

            foreach (var message in messages)
            {
                _prefetched.Enqueue((message, links));
            }
        }

        WakePushWaiters();
        return true;
    }

    Task<bool> IDeliveryLinkConsumer.RecoverAsync(Exception exception, int failures, CancellationToken stopping)
    {
        // One failed link stops them all: receives poll meanwhile, and so report the failure to the caller.
        if (!IsClosed)
        {
            LogPushStopped(_logger, _entityPath, PushRetryPause.TotalSeconds, exception);
        }

        _linksStopping?.Cancel();
        return Task.FromResult(false);
    }

    /// <summary>Completes the arrival every waiting receive took before it looked at the buffer.</summary>
    private void WakePushWaiters()
    {
        TaskCompletionSource arrival;
        lock (_prefetched)
        {
            arrival = _pushArrival;
            _pushArrival = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        arrival.TrySetResult();
    }

    /// <summary>Closes the links and waits until what they pushed arrived (or briefly), so closing abandons that too.</summary>
    private async Task StopLinksAsync()
    {
        await _linksStart.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_linksStopping is { } stopping)
            {
                await stopping.CancelAsync().ConfigureAwait(false);
            }

            await _linksRun.ConfigureAwait(false);
        }
        finally
        {
            _linksStart.Release();
        }
    }

    [LoggerMessage(EventId = (int)LoireClientLogEvent.PushStopped, Level = LogLevel.Information,
        Message = "Push delivery to the receiver of {EntityPath} stopped after a failed link call; it polls, and tries push again in {Seconds} s")]
    private static partial void LogPushStopped(ILogger logger, string entityPath, double seconds, Exception exception);
}
