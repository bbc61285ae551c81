namespace Loire.Storage.Sqlite;

/// <summary>An entity's next epoch, to draw in a group commit (see <see cref="IMessageStore.AcquireEpochAsync"/>).</summary>
internal sealed class EpochAcquisition(string entityPath, CancellationToken cancellationToken) : GroupedWrite(cancellationToken)
{
    private readonly TaskCompletionSource<long?> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long? _epoch;

    /// <summary>The new epoch once it is durable; null when the path has no catalog entry.</summary>
    public Task<long?> Completion => _completion.Task;

    /// <inheritdoc />
    public override int OperationCount => 1;

    /// <inheritdoc />
    public override void Apply(WriterConnection connection, StoreFaultHooks hooks) => _epoch = connection.AcquireEpoch(entityPath);

    /// <inheritdoc />
    public override void Succeed() => _completion.TrySetResult(_epoch);

    /// <inheritdoc />
    public override void Fail(Exception exception) => _completion.TrySetException(exception);

    /// <inheritdoc />
    protected override void SetCanceled(CancellationToken cancellationToken) => _completion.TrySetCanceled(cancellationToken);
}
