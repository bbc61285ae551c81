namespace Loire.Storage.Tests;

/// <summary>
/// Holds the writer inside its first group commit (just before COMMIT) until released, so that requests queued
/// meanwhile are known to land together in the next group.
/// </summary>
internal sealed class WriterGate : IDisposable
{
    private readonly SqliteMessageStore _store;
    private readonly ManualResetEventSlim _release = new();
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action? _afterFirst;
    private int _calls;

    /// <param name="afterFirst">Runs at later commits (e.g. to make the second one fail).</param>
    public WriterGate(SqliteMessageStore store, Action? afterFirst = null)
    {
        _store = store;
        _afterFirst = afterFirst;
        store.FaultHooks.BeforeCommit = OnCommit;
    }

    /// <summary>Completes when the writer is held.</summary>
    public Task Entered => _entered.Task;

    public void Release() => _release.Set();

    public void Dispose()
    {
        _release.Set();
        _store.FaultHooks.BeforeCommit = null;
    }

    private void OnCommit()
    {
        if (Interlocked.Increment(ref _calls) == 1)
        {
            _entered.TrySetResult();
            _release.Wait(TimeSpan.FromSeconds(30));
            return;
        }

        _afterFirst?.Invoke();
    }
}
