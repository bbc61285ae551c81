namespace Loire.Client.Processing;

/// <summary>A running lock-renewal loop for one message; stopped (and awaited) once its handler returns.</summary>
internal sealed class LockRenewal
{
    private readonly CancellationTokenSource _cancellation = new();
    private readonly Task _loop;

    /// <param name="loop">The renewal loop; must end when its token is cancelled and never throw.</param>
    public LockRenewal(Func<CancellationToken, Task> loop)
    {
        var token = _cancellation.Token;
        _loop = Task.Run(() => loop(token), CancellationToken.None);
    }

    /// <summary>Stops renewing and waits until no renewal call is in flight any more.</summary>
    public async Task StopAsync()
    {
        await _cancellation.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _cancellation.Dispose();
    }
}
