namespace Loire.Storage.Sqlite;

/// <summary>A caller's request for a full compaction pass, run by the writer between two group commits.</summary>
internal sealed class CompactionRequest(CancellationToken cancellationToken) : WriteRequest(cancellationToken)
{
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the pass is over.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Completes the caller's task.</summary>
    public void Succeed() => _completion.TrySetResult();

    /// <inheritdoc />
    public override void Fail(Exception exception) => _completion.TrySetException(exception);

    /// <inheritdoc />
    protected override void SetCanceled(CancellationToken cancellationToken) => _completion.TrySetCanceled(cancellationToken);
}
