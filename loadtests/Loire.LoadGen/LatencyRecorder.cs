namespace Loire.LoadGen;

/// <summary>Latency samples in milliseconds, recorded concurrently without locks; samples beyond the capacity are dropped.</summary>
internal sealed class LatencyRecorder(int capacity)
{
    private readonly double[] _samples = new double[Math.Max(capacity, 1)];
    private int _count;

    public int Count => Math.Min(Volatile.Read(ref _count), _samples.Length);

    public void Add(double milliseconds)
    {
        var slot = Interlocked.Increment(ref _count) - 1;
        if (slot < _samples.Length)
        {
            _samples[slot] = milliseconds;
        }
    }

    /// <summary>Nearest-rank percentiles (q in 0..1) of what was recorded so far; NaN when nothing was.</summary>
    public double[] Percentiles(params double[] quantiles)
    {
        var sorted = _samples.AsSpan(0, Count).ToArray();
        Array.Sort(sorted);
        return quantiles.Select(q => sorted.Length == 0
            ? double.NaN
            : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)]).ToArray();
    }
}
