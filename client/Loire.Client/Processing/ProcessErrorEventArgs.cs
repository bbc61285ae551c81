namespace Loire.Client;

/// <summary>What <see cref="LoireProcessor.ProcessErrorAsync"/> gets: an error the processor met, and where.</summary>
public class ProcessErrorEventArgs : EventArgs
{
    /// <summary>Creates the arguments; public so that error handlers can be unit tested.</summary>
    /// <param name="exception">The error.</param>
    /// <param name="errorSource">What the processor was doing.</param>
    /// <param name="entityPath">The queue or subscription being processed.</param>
    /// <param name="cancellationToken">Cancelled when the processor stops.</param>
    public ProcessErrorEventArgs(Exception exception, LoireErrorSource errorSource, string entityPath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(entityPath);
        Exception = exception;
        ErrorSource = errorSource;
        EntityPath = entityPath;
        CancellationToken = cancellationToken;
    }

    /// <summary>The error.</summary>
    public Exception Exception { get; }

    /// <summary>What the processor was doing when it happened.</summary>
    public LoireErrorSource ErrorSource { get; }

    /// <summary>The queue or subscription (path as in <see cref="LoireProcessor.EntityPath"/>).</summary>
    public string EntityPath { get; }

    /// <summary>Cancelled when the processor stops.</summary>
    public CancellationToken CancellationToken { get; }
}
