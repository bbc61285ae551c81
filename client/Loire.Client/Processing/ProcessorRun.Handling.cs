using System.Diagnostics;
using Loire.Client.Diagnostics;

namespace Loire.Client.Processing;

internal sealed partial class ProcessorRun
{
    /// <summary>Name of the consumer span around each handler call and its settlement.</summary>
    internal const string ProcessActivityName = "Loire.Process";

    /// <summary>A message is handed to a handler only while more than this much of its lock is left.</summary>
    private static readonly TimeSpan MaxLockSafetyMargin = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Runs the handler for one message and settles it: completes it when the handler returned without settling it
    /// (and auto-complete is on), abandons it when the handler threw. Releases the message's credit at the end.
    /// </summary>
    private async Task ProcessOneAsync(LoireReceivedMessage message)
    {
        try
        {
            if (PeekLock && !IsLockSafelyAlive(message, _time.GetUtcNow()))
            {
                // It waited in the prefetch buffer too long; give it back rather than start work that cannot be settled.
                LogLockExpiringBeforeStart(_logger, message.SequenceNumber, _entityPath);
                await AbandonQuietlyAsync(message).ConfigureAwait(false);
                return;
            }

            using var activity = StartProcessActivity(message);
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
                await AutoCompleteAsync(args, activity).ConfigureAwait(false);
            }
        }
        finally
        {
            _credits.Release();
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

    private async Task AutoCompleteAsync(ProcessMessageEventArgs args, Activity? activity)
    {
        var message = args.Message;
        Exception? error;
        try
        {
            if (await _completions.CompleteAsync(message.LockTokenGuid).ConfigureAwait(false))
            {
                args.MarkSettled();
                return;
            }

            args.MarkSettled();
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

        ActivityContext parent = default;
        if (message.ApplicationProperties.TryGetValue(LoireTelemetry.TraceParentProperty, out var traceParent) && traceParent is string traceParentText)
        {
            var traceState = message.ApplicationProperties.TryGetValue(LoireTelemetry.TraceStateProperty, out var state) ? state as string : null;
            if (!ActivityContext.TryParse(traceParentText, traceState, isRemote: true, out parent))
            {
                parent = default;
            }
        }

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
