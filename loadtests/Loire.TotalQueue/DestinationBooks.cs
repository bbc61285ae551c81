namespace Loire.TotalQueue;

/// <summary>
/// The books of one place messages are received from (a queue, or one subscription of the topic): which indexes the
/// broker acknowledged and when, every arrival, and when receives returned messages. Thread-safe.
/// </summary>
internal sealed class DestinationBooks(string name)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, TimeSpan> _acknowledged = [];
    private readonly Dictionary<int, int> _deliveries = [];
    private readonly List<Arrival> _arrivals = [];
    private readonly List<TimeSpan> _receiveStarts = [];
    private readonly List<TimeSpan> _receiveEnds = [];

    public string Name => name;

    public int Acknowledged
    {
        get { lock (_gate) { return _acknowledged.Count; } }
    }

    /// <summary>Acknowledged indexes that have not arrived (yet).</summary>
    public int Missing
    {
        get { lock (_gate) { return _acknowledged.Keys.Count(i => !_deliveries.ContainsKey(i)); } }
    }

    /// <summary>Indexes that arrived although their send was never acknowledged (it failed, but had been stored).</summary>
    public int UnacknowledgedArrivals
    {
        get { lock (_gate) { return _deliveries.Keys.Count(i => !_acknowledged.ContainsKey(i)); } }
    }

    public void Acknowledge(int index, TimeSpan at)
    {
        lock (_gate)
        {
            _acknowledged[index] = at;
        }
    }

    /// <summary>Records a receive that started at <paramref name="started"/> and returned <paramref name="indexes"/> at <paramref name="at"/>.</summary>
    public void Receive(TimeSpan started, TimeSpan at, IReadOnlyCollection<int> indexes)
    {
        lock (_gate)
        {
            foreach (var index in indexes)
            {
                var count = _deliveries.GetValueOrDefault(index) + 1;
                _deliveries[index] = count;
                _arrivals.Add(new Arrival(at, index, First: count == 1));
            }

            _receiveStarts.Add(started);
            _receiveEnds.Add(at);
        }
    }

    /// <summary>How long after <paramref name="moment"/> the first receive that started after it returned messages; null while none did.</summary>
    public TimeSpan? FirstReceiveAfter(TimeSpan moment)
    {
        lock (_gate)
        {
            var first = _receiveStarts.FindIndex(t => t > moment);
            return first < 0 ? null : _receiveEnds[first] - moment;
        }
    }

    /// <summary>What happened between <paramref name="from"/> and <paramref name="to"/>; lost counts the messages
    /// acknowledged then that never arrived at all.</summary>
    public WindowCounts Count(TimeSpan from, TimeSpan to)
    {
        lock (_gate)
        {
            var acknowledged = _acknowledged.Where(a => a.Value >= from && a.Value < to).Select(a => a.Key).ToList();
            var arrivals = _arrivals.Where(a => a.At >= from && a.At < to).ToList();
            return new WindowCounts(
                acknowledged.Count,
                arrivals.Count(a => a.First),
                arrivals.Count(a => !a.First),
                acknowledged.Count(i => !_deliveries.ContainsKey(i)));
        }
    }

    /// <summary>Up to <paramref name="max"/> acknowledged indexes that never arrived, for the report.</summary>
    public IReadOnlyList<int> MissingSample(int max)
    {
        lock (_gate)
        {
            return [.. _acknowledged.Keys.Where(i => !_deliveries.ContainsKey(i)).Order().Take(max)];
        }
    }

    private readonly record struct Arrival(TimeSpan At, int Index, bool First);
}

/// <summary>Counts over a time window: copies acknowledged, first arrivals, repeated arrivals, and acknowledged copies never received.</summary>
internal readonly record struct WindowCounts(int Acknowledged, int Received, int Duplicates, int Lost)
{
    public static WindowCounts operator +(WindowCounts a, WindowCounts b) =>
        new(a.Acknowledged + b.Acknowledged, a.Received + b.Received, a.Duplicates + b.Duplicates, a.Lost + b.Lost);
}
