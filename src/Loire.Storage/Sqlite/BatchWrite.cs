namespace Loire.Storage.Sqlite;

/// <summary>A <see cref="StoreBatch"/> waiting for its group commit.</summary>
internal sealed class BatchWrite(StoreBatch batch, CancellationToken cancellationToken) : GroupedWrite(cancellationToken)
{
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the batch is durable, or fails or is cancelled.</summary>
    public Task Completion => _completion.Task;

    /// <inheritdoc />
    public override int OperationCount => batch.Operations.Count;

    /// <inheritdoc />
    public override void Apply(WriterConnection connection, StoreFaultHooks hooks)
    {
        foreach (var fence in batch.Fences)
        {
            connection.CheckFence(fence);
        }

        var operations = batch.Operations;
        for (var i = 0; i < operations.Count; i++)
        {
            hooks.OnApplyOperation(batch, i);
            connection.Apply(operations[i]);
        }
    }

    /// <inheritdoc />
    public override void Succeed() => _completion.TrySetResult();

    /// <inheritdoc />
    public override void Fail(Exception exception) => _completion.TrySetException(exception);

    /// <inheritdoc />
    protected override void SetCanceled(CancellationToken cancellationToken) => _completion.TrySetCanceled(cancellationToken);
}
