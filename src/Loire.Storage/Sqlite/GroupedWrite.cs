namespace Loire.Storage.Sqlite;

/// <summary>A request applied inside a group commit: it shares the group's transaction but can be undone alone.</summary>
internal abstract class GroupedWrite(CancellationToken cancellationToken) : WriteRequest(cancellationToken)
{
    /// <summary>How many operations the request adds to a group (for <see cref="SqliteMessageStoreOptions.MaxOperationsPerCommit"/>).</summary>
    public abstract int OperationCount { get; }

    /// <summary>Writes the request into the open transaction; throwing leaves the writer to undo what it wrote.</summary>
    public abstract void Apply(WriterConnection connection, StoreFaultHooks hooks);

    /// <summary>Completes the caller's task once the group's transaction is durable.</summary>
    public abstract void Succeed();
}
