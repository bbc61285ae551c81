namespace Loire.Storage.Sqlite;

/// <summary>A catalog entry to add unless its path is taken, waiting for its group commit.</summary>
internal sealed class EntityCreation(EntityRecord entity, CancellationToken cancellationToken) : GroupedWrite(cancellationToken)
{
    private readonly TaskCompletionSource<bool> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _created;

    /// <summary>True once the entry is durable, false when the path was taken.</summary>
    public Task<bool> Completion => _completion.Task;

    /// <inheritdoc />
    public override int OperationCount => 1;

    /// <inheritdoc />
    public override void Apply(WriterConnection connection, StoreFaultHooks hooks) =>
        _created = connection.TryInsertEntity(entity);

    /// <inheritdoc />
    public override void Succeed() => _completion.TrySetResult(_created);

    /// <inheritdoc />
    public override void Fail(Exception exception) => _completion.TrySetException(exception);

    /// <inheritdoc />
    protected override void SetCanceled(CancellationToken cancellationToken) => _completion.TrySetCanceled(cancellationToken);
}
