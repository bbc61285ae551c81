namespace Loire.ProcessTests.Infrastructure;

/// <summary>The producer and consumer loops of several <see cref="QueueTraffic"/>s, stopped separately so a test can
/// stop producing and then drain.</summary>
public sealed class TrafficRun : IAsyncDisposable
{
    private readonly CancellationTokenSource _producers;
    private readonly CancellationTokenSource _consumers;
    private readonly Task _producing;
    private readonly Task _consuming;

    private TrafficRun(IReadOnlyCollection<QueueTraffic> traffic, CancellationToken cancellationToken)
    {
        _producers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _consumers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _producing = Task.WhenAll(traffic.Select(t => Task.Run(() => t.ProduceAsync(_producers.Token), CancellationToken.None)));
        _consuming = Task.WhenAll(traffic.Select(t => Task.Run(() => t.ConsumeAsync(_consumers.Token), CancellationToken.None)));
    }

    public static TrafficRun Start(IReadOnlyCollection<QueueTraffic> traffic, CancellationToken cancellationToken) =>
        new(traffic, cancellationToken);

    public async Task StopProducersAsync()
    {
        await _producers.CancelAsync();
        await _producing;
    }

    public async Task StopConsumersAsync()
    {
        await _consumers.CancelAsync();
        await _consuming;
    }

    public async ValueTask DisposeAsync()
    {
        await StopProducersAsync();
        await StopConsumersAsync();
        _producers.Dispose();
        _consumers.Dispose();
    }
}
