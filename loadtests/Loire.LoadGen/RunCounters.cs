namespace Loire.LoadGen;

/// <summary>What the run in progress has sent and received so far, for the progress display.</summary>
internal sealed class RunCounters(string label, Func<long> received)
{
    private long _sent;

    public string Label => label;

    public long Sent => Interlocked.Read(ref _sent);

    public long Received => received();

    public void AddSent(int count) => Interlocked.Add(ref _sent, count);
}
