namespace Loire.LoadGen;

/// <summary>
/// Once a second, writes the current run's sent and received counts and receive rate to stderr. Silent when stderr
/// is not a terminal or with <c>--quiet</c>, so logs and the smoke test stay clean.
/// </summary>
internal sealed class ProgressDisplay : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop = Task.CompletedTask;
    private RunCounters? _current;

    public ProgressDisplay(bool enabled)
    {
        if (enabled)
        {
            _loop = ShowAsync(_stop.Token);
        }
    }

    /// <summary>The run to show from now on; null shows nothing.</summary>
    public RunCounters? Current
    {
        set => Volatile.Write(ref _current, value);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task ShowAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        RunCounters? shown = null;
        long lastReceived = 0;
        while (await timer.WaitForNextTickAsync(stop))
        {
            var run = Volatile.Read(ref _current);
            if (run is null)
            {
                continue;
            }

            var received = run.Received;
            var rate = ReferenceEquals(run, shown) ? received - lastReceived : received;
            (shown, lastReceived) = (run, received);
            Console.Error.WriteLine($"# {run.Label}: sent {run.Sent}, received {received}, {rate}/s");
        }
    }
}
