namespace Loire.Storage;

/// <summary>
/// Something queued for a store's group-commit writer (both stores use it), with a caller waiting on its task. A request can be abandoned through
/// its cancellation token only until the writer claims it; once claimed it runs to the end.
/// </summary>
internal abstract class WriteRequest
{
    private const int Queued = 0;
    private const int Claimed = 1;
    private const int Abandoned = 2;

    private int _state;
    private CancellationTokenRegistration _cancellation;

    protected WriteRequest(CancellationToken cancellationToken) => CancellationToken = cancellationToken;

    /// <summary>The caller's token; it only matters while the request waits in the queue.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Completes the caller's task as cancelled as soon as the token fires while the request is still queued.</summary>
    public void WatchCancellation()
    {
        if (CancellationToken.CanBeCanceled)
        {
            _cancellation = CancellationToken.UnsafeRegister(static state => ((WriteRequest)state!).Abandon(), this);
        }
    }

    /// <summary>Takes the request for execution; false when its caller cancelled it first (its task is then cancelled).</summary>
    public bool TryClaim()
    {
        if (CancellationToken.IsCancellationRequested)
        {
            Abandon();
        }

        if (Interlocked.CompareExchange(ref _state, Claimed, Queued) != Queued)
        {
            return false;
        }

        _cancellation.Unregister();
        return true;
    }

    /// <summary>Fails the caller's task (no-op when it already completed).</summary>
    public abstract void Fail(Exception exception);

    /// <summary>Completes the caller's task as cancelled.</summary>
    protected abstract void SetCanceled(CancellationToken cancellationToken);

    private void Abandon()
    {
        if (Interlocked.CompareExchange(ref _state, Abandoned, Queued) == Queued)
        {
            _cancellation.Unregister();
            SetCanceled(CancellationToken);
        }
    }
}
