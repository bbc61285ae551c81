namespace Loire.Storage.Sqlite;

/// <summary>
/// Points where tests make the writer fail or stall, to prove atomicity and failure handling without breaking a
/// disk. Unset in production, where each costs one null check.
/// </summary>
internal sealed class StoreFaultHooks
{
    private volatile Action<StoreBatch, int>? _beforeOperation;
    private volatile Action? _beforeCommit;
    private volatile Action? _beforeWalSync;

    /// <summary>Runs on the writer thread before it applies operation <c>index</c> of a batch; throwing fails that batch.</summary>
    public Action<StoreBatch, int>? BeforeOperation
    {
        get => _beforeOperation;
        set => _beforeOperation = value;
    }

    /// <summary>Runs on the writer thread right before a group's COMMIT; throwing fails the whole group, blocking holds it in flight.</summary>
    public Action? BeforeCommit
    {
        get => _beforeCommit;
        set => _beforeCommit = value;
    }

    /// <summary>Runs on the WAL syncer thread before it flushes committed groups; throwing is a failed flush, blocking holds their waiters.</summary>
    public Action? BeforeWalSync
    {
        get => _beforeWalSync;
        set => _beforeWalSync = value;
    }

    internal void OnApplyOperation(StoreBatch batch, int index) => _beforeOperation?.Invoke(batch, index);

    internal void OnCommit() => _beforeCommit?.Invoke();

    internal void OnWalSync() => _beforeWalSync?.Invoke();
}
