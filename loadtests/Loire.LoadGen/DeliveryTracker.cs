using System.Diagnostics;

namespace Loire.LoadGen;

/// <summary>
/// Counts deliveries per message index, so a run knows when every message arrived at least once and how many were
/// lost or delivered twice; also records end-to-end latency.
/// </summary>
internal sealed class DeliveryTracker
{
    private readonly int[] _deliveries;
    private readonly TaskCompletionSource<long> _allDelivered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _received;
    private int _unique;
    private long _firstDelivery;

    public DeliveryTracker(int expected)
    {
        _deliveries = new int[expected];
        Latencies = new LatencyRecorder(expected);
        if (expected == 0)
        {
            _allDelivered.TrySetResult(Stopwatch.GetTimestamp());
        }
    }

    public int Expected => _deliveries.Length;

    public long Received => Interlocked.Read(ref _received);

    public int Lost => Expected - Volatile.Read(ref _unique);

    /// <summary>Deliveries beyond the first of each message, plus any delivery of a message this run did not send.</summary>
    public long Duplicates => Received - Volatile.Read(ref _unique);

    public LatencyRecorder Latencies { get; }

    /// <summary>Stopwatch timestamp of the first delivery; 0 before it.</summary>
    public long FirstDelivery => Interlocked.Read(ref _firstDelivery);

    /// <summary>Completes with the Stopwatch timestamp of the delivery that made every message arrive.</summary>
    public Task<long> AllDelivered => _allDelivered.Task;

    /// <summary>Records one delivery; <paramref name="offset"/> places a fan-out subscription's copies in their own range.</summary>
    public void Record(ReadOnlySpan<byte> body, int offset = 0)
    {
        var now = Stopwatch.GetTimestamp();
        Interlocked.CompareExchange(ref _firstDelivery, now, 0);
        if (Payload.LatencyMilliseconds(body, now) is { } latency)
        {
            Latencies.Add(latency);
        }

        Interlocked.Increment(ref _received);
        var index = Payload.Index(body) + offset;
        if (index >= offset && index < _deliveries.Length && Interlocked.Increment(ref _deliveries[index]) == 1
            && Interlocked.Increment(ref _unique) == _deliveries.Length)
        {
            _allDelivered.TrySetResult(now);
        }
    }
}
