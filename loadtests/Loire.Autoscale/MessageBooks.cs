namespace Loire.Autoscale;

/// <summary>Which message indexes the broker acknowledged and how often each arrived, so a run can say what was lost and what came twice.</summary>
internal sealed class MessageBooks
{
    private readonly HashSet<int> _acknowledged = [];
    private readonly Dictionary<int, int> _deliveries = [];
    private readonly Dictionary<string, int> _failures = [];
    private long _received;

    public int Acknowledged
    {
        get { lock (_acknowledged) { return _acknowledged.Count; } }
    }

    public long Received => Interlocked.Read(ref _received);

    /// <summary>Acknowledged messages that never arrived.</summary>
    public int Lost
    {
        get
        {
            lock (_acknowledged)
            lock (_deliveries)
            {
                return _acknowledged.Count(i => !_deliveries.ContainsKey(i));
            }
        }
    }

    /// <summary>Deliveries beyond the first of each message.</summary>
    public long Duplicates
    {
        get { lock (_deliveries) { return Received - _deliveries.Count; } }
    }

    public string FailureSummary
    {
        get
        {
            lock (_failures)
            {
                return _failures.Count == 0 ? "none" : string.Join(",", _failures.OrderBy(f => f.Key).Select(f => $"{f.Key}:{f.Value}"));
            }
        }
    }

    public void Acknowledge(IEnumerable<int> indexes)
    {
        lock (_acknowledged)
        {
            _acknowledged.UnionWith(indexes);
        }
    }

    public void Deliver(int index)
    {
        lock (_deliveries)
        {
            _deliveries[index] = _deliveries.GetValueOrDefault(index) + 1;
            _received++;
        }
    }

    /// <summary>Counts a failed call under "operation/reason".</summary>
    public void Fail(string operation, Exception exception)
    {
        var key = $"{operation}/{(exception is Loire.Client.LoireException e ? e.Reason.ToString() : exception.GetType().Name)}";
        lock (_failures)
        {
            _failures[key] = _failures.GetValueOrDefault(key) + 1;
        }
    }
}
