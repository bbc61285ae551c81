using System.Diagnostics;
using Loire.Client.Diagnostics;
using Loire.Diagnostics;

namespace Loire.Client.Processing;

internal sealed partial class ProcessorRun
{
    /// <summary>Name of the consumer span around each handler call and its settlement.</summary>
    internal const string ProcessActivityName = "Loire.Process";

    /// <summary>A message is handed to a handler only while more than this much of its lock is left.</summary>
    private static readonly TimeSpan MaxLockSafetyMargin = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Runs the handler for one message and settles it: abandons it when the handler threw, and (with auto-complete)
    /// completes it when the handler returned without settling it. Releases the message's credit once it is settled
    /// or given back; an auto-completion finishes in the background, so the handler slot goes on to the next message
    /// meanwhile.
    /// </summary>
    private async Task ProcessOneAsync(LoireReceivedMessage message)
    {
        Activity? activity = null;
        var completing = false;
        try
        {
            if (PeekLock && !IsLockSafelyAlive(message, _time.GetUtcNow()))
            {
                // It waited in the prefetch buffer too long; give it back rather than start work that cannot be settled.
                LogLockExpiringBeforeStart(_logger, message.SequenceNumber, _entityPath);
                await AbandonQuietlyAsync(message).ConfigureAwait(false);
                return;
            }

            activity = StartProcessActivity(message);
            var args = new ProcessMessageEventArgs(message, _receiver, _entityPath, _stopping.Token);
            var renewal = StartLockRenewal(args);
            Exception? failure = null;
            try
            {
                await _processMessage(args).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                failure = exception;
            }
            finally
            {
                if (renewal is not null)
                {
                    await renewal.StopAsync().ConfigureAwait(false);
                }
            }

            if (failure is not null)
            {
                LoireTelemetry.RecordError(activity, failure);
                await HandleFailureAsync(args, failure).ConfigureAwait(false);
            }
            else if (PeekLock && _options.AutoCompleteMessages && !args.IsSettlingOrSettled)
            {
                // The completion now owns the credit and the span.
                Interlocked.Increment(ref _autoCompletions);
                _ = AutoCompleteAsync(args, activity);
                completing = true;
            }
        }
        finally
        {
            if (!completing)
            {
                activity?.Dispose();
                ReleaseCredit(message);
            }
        }
    }

    private async Task HandleFailureAsync(ProcessMessageEventArgs args, Exception failure)
    {
        var message = args.Message;
        var cancelledByStop = failure is OperationCanceledException && _stopping.IsCancellationRequested;
        if (cancelledByStop)
        {
            LogHandlerCancelled(_logger, message.SequenceNumber, _entityPath);
        }
        else
        {
            LogHandlerFailed(_logger, message.SequenceNumber, _entityPath, failure);
        }

        // Give the message back first, so it is redelivered without waiting for the error handler.
        if (PeekLock && !args.IsSettlingOrSettled)
        {
            try
            {
                await _receiver.AbandonMessageAsync(message, CancellationToken.None).ConfigureAwait(false);
                args.MarkSettled();
            }
            catch (Exception exception)
            {
                LogSettleFailed(_logger, "abandon", message.SequenceNumber, _entityPath, exception);
                await ReportErrorAsync(exception, LoireErrorSource.Abandon).ConfigureAwait(false);
            }
        }

        if (!cancelledByStop)
        {
            await ReportErrorAsync(failure, LoireErrorSource.ProcessMessageCallback).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Completes a message whose handler returned, through the batcher; reports a failure to the error handler. Then
    /// ends the span, releases the credit and counts the completion done (see <see cref="StopAsync"/>). Never throws.
    /// </summary>
    private async Task AutoCompleteAsync(ProcessMessageEventArgs args, Activity? activity)
    {
        var message = args.Message;
        try
        {
            Exception error;
            try
            {
                var completed = await _completions.CompleteAsync(message.LockTokenGuid).ConfigureAwait(false);
                args.MarkSettled();
                if (completed)
                {
                    return;
                }

                error = new LoireException(LoireErrorReason.MessageLockLost,
                    $"Message {message.SequenceNumber} could not be completed after its handler returned: its lock (token {message.LockToken}) was lost. It expired, or the message was settled elsewhere; the broker delivers it again unless it was settled.",
                    _entityPath);
            }
            catch (Exception exception)
            {
                error = exception;
            }

            LoireTelemetry.RecordError(activity, error);
            LogSettleFailed(_logger, "complete", message.SequenceNumber, _entityPath, error);
            await ReportErrorAsync(error, LoireErrorSource.Complete).ConfigureAwait(false);
        }
        finally
        {
            activity?.Dispose();
            ReleaseCredit(message);
            if (Interlocked.Decrement(ref _autoCompletions) == 0)
            {
                _autoCompletionsDone.TrySetResult();
            }
        }
    }

    /// <summary>Abandons a message no handler saw; failures only logged (its lock runs out by itself).</summary>
    private async Task AbandonQuietlyAsync(LoireReceivedMessage message)
    {
        try
        {
            await _receiver.AbandonMessageAsync(message, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            LogSettleFailed(_logger, "abandon", message.SequenceNumber, _entityPath, exception);
        }
    }

    private static bool IsLockSafelyAlive(LoireReceivedMessage message, DateTimeOffset now)
    {
        var lockSpan = message.LockedUntil - message.ReceivedAt;
        var quarter = TimeSpan.FromTicks(Math.Max(0, lockSpan.Ticks / 4));
        var margin = quarter < MaxLockSafetyMargin ? quarter : MaxLockSafetyMargin;
        return message.LockedUntil - now > margin;
    }

    /// <summary>Starts the consumer span of one message, a child of the trace the sender recorded in <c>traceparent</c> when there is one.</summary>
    private Activity? StartProcessActivity(LoireReceivedMessage message)
    {
        var source = LoireTelemetry.ActivitySource;
        if (!source.HasListeners())
        {
            return null;
        }

        // Without a valid context in the message the span joins the ambient trace, if any.
        MessageTraceContext.TryGet(message.ApplicationProperties, out var parent);
        var activity = source.StartActivity(ProcessActivityName, ActivityKind.Consumer, parent);
        if (activity is not null)
        {
            activity.SetTag("messaging.system", "loire");
            activity.SetTag("messaging.operation.name", "process");
            activity.SetTag("messaging.operation.type", "process");
            activity.SetTag("messaging.destination.name", _entityPath);
            activity.SetTag("messaging.message.id", message.MessageId);
            activity.SetTag("messaging.loire.message.sequence_number", message.SequenceNumber);
            activity.SetTag("messaging.loire.message.delivery_count", message.DeliveryCount);
        }

        return activity;
    }
}
