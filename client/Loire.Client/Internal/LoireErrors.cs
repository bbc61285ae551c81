using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace Loire.Client.Internal;

/// <summary>
/// The single place where failures of Orleans calls become the client's public errors. Every broker call goes
/// through <see cref="OperationExecutor"/>, which uses this.
/// </summary>
internal static class LoireErrors
{
    /// <summary>
    /// Maps a failure to what the caller sees: <see cref="LoireException"/>, <see cref="OperationCanceledException"/>
    /// for the caller's own cancellation, <see cref="ObjectDisposedException"/> after the client was disposed, or
    /// <see cref="LoireException"/> with <see cref="LoireErrorReason.GeneralError"/> wrapping anything unexpected.
    /// </summary>
    public static Exception Map(Exception exception, string? entityPath, CancellationToken cancellationToken = default)
    {
        switch (exception)
        {
            case LoireException:
            case ObjectDisposedException:
                return exception;
            case OperationCanceledException when cancellationToken.IsCancellationRequested:
                return exception;
            case OperationCanceledException:
                return new LoireException(LoireErrorReason.ServiceCommunicationProblem,
                    "The operation was cancelled by the Orleans runtime (the client or the silo is shutting down).", entityPath, exception);
            case TimeoutException:
                return new LoireException(LoireErrorReason.ServiceTimeout,
                    "The broker did not answer in time; the operation may or may not have taken effect.", entityPath, exception);
            case GatewayTooBusyException:
            case LimitExceededException:
                return new LoireException(LoireErrorReason.ServiceBusy, "The broker is overloaded; retry later.", entityPath, exception);
            case OrleansMessageRejectionException: // includes SiloUnavailableException
            case ConnectionFailedException:
            case ClientNotAvailableException:
                return new LoireException(LoireErrorReason.ServiceCommunicationProblem,
                    "The connection to the Loire cluster failed: " + exception.Message, entityPath, exception);
            default:
                return new LoireException(LoireErrorReason.GeneralError,
                    "Unexpected failure: " + exception.Message, entityPath, exception);
        }
    }

    /// <summary>
    /// True when <paramref name="exception"/> proves the request never ran on the broker (it was rejected before
    /// reaching the grain, or the broker refused it explicitly), so even a non-idempotent operation may be retried.
    /// Timeouts and lost connections prove nothing: the request may have run.
    /// </summary>
    public static bool ProvesNotExecuted(Exception exception) => exception switch
    {
        // SiloUnavailableException is a rejection too, but it also breaks calls already running on a silo that died.
        SiloUnavailableException => false,
        OrleansMessageRejectionException or GatewayTooBusyException or ConnectionFailedException => true,
        LoireException { Reason: LoireErrorReason.ServiceBusy or LoireErrorReason.StoreUnavailable } => true,
        _ => false,
    };
}
