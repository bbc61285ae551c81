using Loire.Client.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Loire.Client.Internal;

/// <summary>Runs every broker call: connects if needed, maps errors, and retries per <see cref="LoireRetryOptions"/>.</summary>
internal sealed partial class OperationExecutor
{
    private readonly LoireConnection _connection;
    private readonly LoireRetryOptions _retry;
    private readonly ILogger _logger;

    public OperationExecutor(LoireConnection connection, LoireRetryOptions retry, ILogger logger)
    {
        _connection = connection;
        _retry = retry;
        _logger = logger;
    }

    public LoireConnection Connection => _connection;

    /// <summary>Runs <paramref name="operation"/> against the cluster's grains.</summary>
    /// <param name="name">Operation name, for logs.</param>
    /// <param name="entityPath">Entity the operation addresses, for errors and logs.</param>
    /// <param name="retryKind">When a failed attempt may be repeated.</param>
    /// <param name="operation">The grain call(s).</param>
    /// <param name="cancellationToken">The caller's token.</param>
    public async ValueTask<T> ExecuteAsync<T>(
        string name,
        string? entityPath,
        RetryKind retryKind,
        Func<LoireGrains, CancellationToken, ValueTask<T>> operation,
        CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var connected = false;
            try
            {
                var grainFactory = await _connection.GetGrainFactoryAsync(cancellationToken).ConfigureAwait(false);
                connected = true;
                var loss = _connection.GatewayLossToken;
                if (!loss.CanBeCanceled)
                {
                    return await operation(new LoireGrains(grainFactory), cancellationToken).ConfigureAwait(false);
                }

                using var call = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var answer = operation(new LoireGrains(grainFactory), call.Token).AsTask();
                return await GatewayLossWatch.GuardAsync(answer, loss, call, entityPath).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                var mapped = LoireErrors.Map(exception, entityPath, cancellationToken);
                if (attempt < _retry.MaxRetries && !_connection.IsClosed && IsRetriable(mapped, exception, retryKind, connected))
                {
                    var delay = _retry.GetDelay(attempt);
                    LogRetry(_logger, name, entityPath, attempt + 1, _retry.MaxRetries, delay, exception);
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (ReferenceEquals(mapped, exception))
                {
                    throw;
                }

                throw mapped;
            }
        }
    }

    /// <summary>Runs an operation that returns nothing.</summary>
    public async ValueTask ExecuteAsync(
        string name,
        string? entityPath,
        RetryKind retryKind,
        Func<LoireGrains, CancellationToken, ValueTask> operation,
        CancellationToken cancellationToken = default)
    {
        await ExecuteAsync<bool>(name, entityPath, retryKind, async (grains, ct) =>
        {
            await operation(grains, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static bool IsRetriable(Exception mapped, Exception original, RetryKind retryKind, bool connected)
    {
        if (mapped is not LoireException { IsTransient: true })
        {
            return false;
        }

        // A failure while connecting means no request was sent at all.
        return !connected || retryKind == RetryKind.Idempotent || LoireErrors.ProvesNotExecuted(original);
    }

    [LoggerMessage(EventId = (int)LoireClientLogEvent.OperationRetry, Level = LogLevel.Warning,
        Message = "{Operation} on {EntityPath} failed transiently; retry {Attempt} of {MaxRetries} in {Delay}")]
    private static partial void LogRetry(ILogger logger, string operation, string? entityPath, int attempt, int maxRetries, TimeSpan delay, Exception exception);
}
