namespace Loire.Client.Processing;

internal sealed partial class ProcessorRun
{
    /// <summary>Shortest wait between two renewal attempts, so a failing renewal of a short lock never spins.</summary>
    private static readonly TimeSpan MinRenewalInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Starts renewing the lock of the message in <paramref name="args"/> while its handler runs; null when renewal is off.</summary>
    private LockRenewal? StartLockRenewal(ProcessMessageEventArgs args)
    {
        if (!PeekLock || _options.MaxAutoLockRenewalDuration <= TimeSpan.Zero)
        {
            return null;
        }

        return new LockRenewal(token => RenewLockLoopAsync(args, token));
    }

    /// <summary>
    /// Renews the lock when two thirds of what is left of it have passed, until the message is settled, the handler
    /// returns, or <see cref="LoireProcessorOptions.MaxAutoLockRenewalDuration"/> has passed since receipt. Failures go
    /// to the error handler; a lost lock ends the loop, a transient failure is tried again while the lock lives.
    /// </summary>
    private async Task RenewLockLoopAsync(ProcessMessageEventArgs args, CancellationToken cancellationToken)
    {
        var message = args.Message;
        var renewUntil = message.ReceivedAt + _options.MaxAutoLockRenewalDuration;
        while (true)
        {
            var now = _time.GetUtcNow();
            var remaining = message.LockedUntil - now;
            var wait = TimeSpan.FromTicks(Math.Max(0, remaining.Ticks / 3 * 2));
            if (wait < MinRenewalInterval)
            {
                wait = MinRenewalInterval;
            }

            // The current lock already lasts past the deadline when the next renewal would come after it.
            if (now + wait >= renewUntil)
            {
                return;
            }

            try
            {
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (cancellationToken.IsCancellationRequested || args.IsSettlingOrSettled)
            {
                return;
            }

            try
            {
                await _receiver.RenewMessageLockAsync(message, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                if (cancellationToken.IsCancellationRequested || args.IsSettlingOrSettled)
                {
                    // The handler returned or settled the message meanwhile; whatever the renewal met no longer matters.
                    return;
                }

                LogLockRenewalFailed(_logger, message.SequenceNumber, _entityPath, exception);
                await ReportErrorAsync(exception, LoireErrorSource.RenewLock).ConfigureAwait(false);
                var transient = exception is LoireException { IsTransient: true };
                if (!transient || message.LockedUntil <= _time.GetUtcNow())
                {
                    return;
                }
            }
        }
    }
}
