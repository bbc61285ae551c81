using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace Loire.Client.Internal;

/// <summary>
/// Decides whether the Orleans client keeps trying while it starts. Orleans' default retries for about three minutes;
/// this one only cycles through the configured gateways (twice each), so one dead gateway among several does not fail
/// the start, while an unreachable cluster fails within seconds and the operation's own retry policy takes over.
/// </summary>
internal sealed class GatewayConnectRetryFilter(int gatewayCount, TimeSpan delay) : IClientConnectionRetryFilter
{
    private readonly int _maxRetries = Math.Max(2, gatewayCount * 2);
    private int _retries;

    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested
            || exception is not (OrleansMessageRejectionException or ConnectionFailedException)
            || Interlocked.Increment(ref _retries) > _maxRetries)
        {
            return false;
        }

        await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        return true;
    }
}
