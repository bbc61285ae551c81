using Microsoft.Extensions.Logging;

namespace Loire.Client.Processing;

internal sealed partial class ProcessorRun
{
    [LoggerMessage(EventId = (int)ProcessorLogEvent.Started, Level = LogLevel.Information,
        Message = "Processor for {EntityPath} started (MaxConcurrentCalls {MaxConcurrentCalls}, PrefetchCount {PrefetchCount}, {ReceiveMode})")]
    private static partial void LogStarted(ILogger logger, string entityPath, int maxConcurrentCalls, int prefetchCount, LoireReceiveMode receiveMode);

    [LoggerMessage(EventId = (int)ProcessorLogEvent.Stopping, Level = LogLevel.Information,
        Message = "Processor for {EntityPath} is stopping: no new messages; waiting for running handlers")]
    private static partial void LogStopping(ILogger logger, string entityPath);

    [LoggerMessage(EventId = (int)ProcessorLogEvent.Stopped, Level = LogLevel.Information,
        Message = "Processor for {EntityPath} stopped; {GivenBack} messages no handler had started were given back")]
    private static partial void LogStopped(ILogger logger, string entityPath, int givenBack);

    [LoggerMessage(EventId = (int)ProcessorLogEvent.ReceiveFailed, Level = LogLevel.Warning,
        Message = "Receiving from {EntityPath} failed; trying again in {Delay}")]
    private static partial void LogReceiveFailed(ILogger logger, string entityPath, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = (int)ProcessorLogEvent.ReceiverClosed, Level = LogLevel.Warning,
        Message = "The client of the processor for {EntityPath} was closed; the processor receives no more messages")]
    private static partial void LogReceiverClosed(ILogger logger, string entityPath);

    [LoggerMessage(EventId = (int)ProcessorLogEvent.HandlerFailed, Level = LogLevel.Warning,
        Message = "The message handler failed for message {SequenceNumber} of {EntityPath}; the message is abandoned unless the handler settled it")]
    private static partial void LogHandlerFailed(ILogger logger, long sequenceNumber, string entityPath, Exception exception);

    [LoggerMessage(EventId = (int)ProcessorLogEvent.HandlerCancelled, Level = LogLevel.Debug,
        Message = "The message handler gave up message {SequenceNumber} of {EntityPath} because the processor is stopping; the message is abandoned unless the handler settled it")]
    private static partial void LogHandlerCancelled(ILogger logger, long sequenceNumber, string entityPath);

    [LoggerMessage(EventId = (int)ProcessorLogEvent.ErrorHandlerFailed, Level = LogLevel.Warning,
        Message = "The error handler of the processor for {EntityPath} threw while handling a {ErrorSource} error")]
    private static partial void LogErrorHandlerFailed(ILogger logger, string entityPath, LoireErrorSource errorSource, Exception exception);

    [LoggerMessage(EventId = (int)ProcessorLogEvent.LockRenewalFailed, Level = LogLevel.Warning,
        Message = "Renewing the lock of message {SequenceNumber} of {EntityPath} failed")]
    private static partial void LogLockRenewalFailed(ILogger logger, long sequenceNumber, string entityPath, Exception exception);

    [LoggerMessage(EventId = (int)ProcessorLogEvent.SettleFailed, Level = LogLevel.Warning,
        Message = "Could not {Operation} message {SequenceNumber} of {EntityPath}")]
    private static partial void LogSettleFailed(ILogger logger, string operation, long sequenceNumber, string entityPath, Exception exception);

    [LoggerMessage(EventId = (int)ProcessorLogEvent.LockExpiringBeforeStart, Level = LogLevel.Debug,
        Message = "Message {SequenceNumber} of {EntityPath} waited until its lock was about to expire; given back without calling the handler")]
    private static partial void LogLockExpiringBeforeStart(ILogger logger, long sequenceNumber, string entityPath);

    [LoggerMessage(EventId = (int)ProcessorLogEvent.AbandonOnStopFailed, Level = LogLevel.Warning,
        Message = "Could not give back {Count} messages of {EntityPath} on stop; they return when their locks expire")]
    private static partial void LogAbandonOnStopFailed(ILogger logger, int count, string entityPath, Exception exception);

    [LoggerMessage(EventId = (int)ProcessorLogEvent.StopCallbackFailed, Level = LogLevel.Warning,
        Message = "A callback a message handler registered on its cancellation token threw while the processor for {EntityPath} was stopping")]
    private static partial void LogStopCallbackFailed(ILogger logger, string entityPath, Exception exception);

    [LoggerMessage(EventId = (int)ProcessorLogEvent.WorkerFailed, Level = LogLevel.Error,
        Message = "A worker of the processor for {EntityPath} failed unexpectedly; it goes on with the next message")]
    private static partial void LogWorkerFailed(ILogger logger, string entityPath, Exception exception);
}
