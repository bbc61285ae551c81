using Loire.Client;
using Loire.Client.Internal;

namespace Loire.Tests.Connection;

/// <summary>
/// Calls in flight when a gateway connection closes: answered ones pass, cancellable ones are cancelled, and the rest
/// fail with a transient error instead of waiting for the response timeout. (End to end: the kill-under-load process test.)
/// </summary>
public sealed class GatewayLossWatchTests
{
    [Fact]
    public async Task WithoutALossACallIsLeftAlone()
    {
        var watch = new GatewayLossWatch();
        using var attempt = new CancellationTokenSource();
        var answer = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var guarded = GatewayLossWatch.GuardAsync(answer.Task, watch.LossToken, attempt, "q");

        watch.NotifyGatewayCountChanged(3, 2, connectionRecovered: false); // a gateway joined: no loss
        answer.SetResult(7);
        Assert.Equal(7, await guarded);
        Assert.False(attempt.IsCancellationRequested);
    }

    [Fact]
    public async Task ACallAnsweredSoonAfterTheLossKeepsItsAnswer()
    {
        var watch = new GatewayLossWatch();
        using var attempt = new CancellationTokenSource();
        var answer = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var guarded = GatewayLossWatch.GuardAsync(answer.Task, watch.LossToken, attempt, "q");

        watch.NotifyGatewayCountChanged(1, 2, connectionRecovered: false);
        answer.SetResult(7);
        Assert.Equal(7, await guarded);
        Assert.False(attempt.IsCancellationRequested);
    }

    [Fact]
    public async Task AnUnansweredCallIsCancelledAndUsesWhatTheCancellationReturns()
    {
        var watch = new GatewayLossWatch();
        using var attempt = new CancellationTokenSource();
        var answer = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        attempt.Token.Register(() => answer.SetResult(0)); // a long poll on a live gateway answers with what it holds
        var guarded = GatewayLossWatch.GuardAsync(answer.Task, watch.LossToken, attempt, "q");

        watch.NotifyClusterConnectionLost();
        Assert.Equal(0, await guarded.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(attempt.IsCancellationRequested);
    }

    [Fact]
    public async Task ACallStrandedOnTheLostGatewayFailsTransientlyWithinTheGraces()
    {
        var watch = new GatewayLossWatch();
        using var attempt = new CancellationTokenSource();
        var stranded = new TaskCompletionSource<int>().Task;
        var guarded = GatewayLossWatch.GuardAsync(stranded, watch.LossToken, attempt, "q");

        var lostAt = DateTimeOffset.UtcNow;
        watch.NotifyGatewayCountChanged(1, 2, connectionRecovered: false);
        var error = await Assert.ThrowsAsync<LoireException>(() => guarded.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(LoireErrorReason.ServiceCommunicationProblem, error.Reason);
        Assert.True(error.IsTransient);
        Assert.Equal("q", error.EntityPath);
        Assert.True(DateTimeOffset.UtcNow - lostAt >= GatewayLossWatch.AnswerGrace + GatewayLossWatch.CancelGrace - TimeSpan.FromMilliseconds(50));

        // A call made after the loss watches for the next one only.
        Assert.False(watch.LossToken.IsCancellationRequested);
    }
}
