namespace Loire.LoadGen;

/// <summary>Collects end-to-end latencies from concurrent consumers and reports percentiles.</summary>
internal sealed class LatencyRecorder(int capacity)
{
    private readonly List<double> _milliseconds = new(capacity);

    public void Add(TimeSpan latency)
    {
        lock (_milliseconds)
        {
            _milliseconds.Add(latency.TotalMilliseconds);
        }
    }

    public double Percentile(double p)
    {
        lock (_milliseconds)
        {
            if (_milliseconds.Count == 0)
            {
                return double.NaN;
            }

            _milliseconds.Sort();
            return _milliseconds[Math.Min(_milliseconds.Count - 1, (int)(p / 100 * _milliseconds.Count))];
        }
    }
}

internal sealed record RunResult(int Messages, double Seconds, double PublishRate, LatencyRecorder Latencies)
{
    public double Rate => Messages / Seconds;
}
