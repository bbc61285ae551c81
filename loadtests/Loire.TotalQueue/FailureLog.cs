using Loire.Client;

namespace Loire.TotalQueue;

/// <summary>Every failed call of the run: when it failed, what it was, and why. Thread-safe.</summary>
internal sealed class FailureLog
{
    private readonly Lock _gate = new();
    private readonly List<(TimeSpan At, string Key)> _failures = [];

    public void Add(TimeSpan at, string operation, Exception exception)
    {
        var reason = exception is LoireException e ? e.Reason.ToString() : exception.GetType().Name;
        lock (_gate)
        {
            _failures.Add((at, $"{operation}/{reason}"));
        }
    }

    public int Count(TimeSpan from, TimeSpan to)
    {
        lock (_gate)
        {
            return _failures.Count(f => f.At >= from && f.At < to);
        }
    }

    /// <summary>"operation/reason:count,..." over the whole run; "none" without failures.</summary>
    public string Summary()
    {
        lock (_gate)
        {
            return _failures.Count == 0
                ? "none"
                : string.Join(",", _failures.GroupBy(f => f.Key).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}:{g.Count()}"));
        }
    }
}
