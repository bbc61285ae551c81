namespace Loire.Client.Internal;

/// <summary>
/// Fails calls stranded on a gateway that died. The Orleans client waits for a call's answer until its response
/// timeout (<see cref="LoireClientOptions.OperationTimeout"/>, 30 s by default) even when the connection that carried
/// the call is gone, and it does not say which gateway a call used. The connection closing is seen at once, though
/// (the kernel resets a killed process's sockets): calls in flight at that moment get <see cref="AnswerGrace"/> to
/// finish (calls through the surviving gateways do), are then cancelled (a long poll on a live gateway answers with
/// what it holds), and after <see cref="CancelGrace"/> more are given up with a transient error that the executor
/// retries where that is safe.
/// </summary>
internal sealed class GatewayLossWatch : IClusterConnectionStatusObserver
{
    public static readonly TimeSpan AnswerGrace = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan CancelGrace = TimeSpan.FromSeconds(1);

    private CancellationTokenSource _epoch = new();

    /// <summary>Cancelled when a gateway connection is lost after this token was read.</summary>
    public CancellationToken LossToken => Volatile.Read(ref _epoch).Token;

    public void NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered)
    {
        if (currentNumberOfGateways < previousNumberOfGateways)
        {
            SignalLoss();
        }
    }

    public void NotifyClusterConnectionLost() => SignalLoss();

    /// <summary>
    /// The result of <paramref name="call"/>, or a transient <see cref="LoireException"/> when a gateway was lost
    /// (<paramref name="loss"/>, read before the call was made) and the call then stayed unanswered. The call's own
    /// token source, <paramref name="attempt"/>, is cancelled when the call is still unanswered a moment after the loss.
    /// </summary>
    public static async Task<T> GuardAsync<T>(Task<T> call, CancellationToken loss, CancellationTokenSource attempt, string? entityPath)
    {
        if (call.IsCompleted || !loss.CanBeCanceled)
        {
            return await call.ConfigureAwait(false);
        }

        try
        {
            return await call.WaitAsync(loss).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (loss.IsCancellationRequested)
        {
        }

        if (!await FinishesWithinAsync(call, AnswerGrace).ConfigureAwait(false))
        {
            await attempt.CancelAsync().ConfigureAwait(false);
            if (!await FinishesWithinAsync(call, CancelGrace).ConfigureAwait(false))
            {
                // Orleans completes the call at its response timeout; nobody waits for it any more.
                _ = call.ContinueWith(static c => _ = c.Exception, CancellationToken.None,
                    TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                throw new LoireException(LoireErrorReason.ServiceCommunicationProblem,
                    "A gateway connection was lost while the call was in flight; it may or may not have taken effect.", entityPath);
            }
        }

        return await call.ConfigureAwait(false);
    }

    private static async Task<bool> FinishesWithinAsync(Task call, TimeSpan grace)
    {
        await Task.WhenAny(call, Task.Delay(grace)).ConfigureAwait(false);
        return call.IsCompleted;
    }

    private void SignalLoss()
    {
        var lost = Interlocked.Exchange(ref _epoch, new CancellationTokenSource());
        lost.Cancel();
    }
}
