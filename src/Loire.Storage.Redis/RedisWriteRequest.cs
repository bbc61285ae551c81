using StackExchange.Redis;

namespace Loire.Storage.Redis;

/// <summary>A write for the Redis writer: what it adds to the group's script and how it reads the script's results.</summary>
internal abstract class RedisWriteRequest(CancellationToken cancellationToken) : WriteRequest(cancellationToken)
{
    /// <summary>How many operations the request adds to a group.</summary>
    public abstract int OperationCount { get; }

    /// <summary>How many results of the script belong to this request (one per entity creation, epoch and fence).</summary>
    public virtual int ResultCount => 0;

    /// <summary>Appends the request's script arguments.</summary>
    public abstract void AppendArguments(List<RedisValue> arguments);

    /// <summary>Completes the caller's task once the group is durable; <paramref name="results"/> are this request's script results.</summary>
    public abstract void Succeed(ReadOnlySpan<long> results);
}

/// <summary>A <see cref="StoreBatch"/> waiting for its group commit.</summary>
internal sealed class RedisBatchWrite(StoreBatch batch, CancellationToken cancellationToken) : RedisWriteRequest(cancellationToken)
{
    private static readonly RedisValue _put = "P";
    private static readonly RedisValue _update = "U";
    private static readonly RedisValue _delete = "D";
    private static readonly RedisValue _putEntity = "E";
    private static readonly RedisValue _deleteEntity = "X";
    private static readonly RedisValue _putDepth = "T";
    private static readonly RedisValue _fence = "F";

    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the batch is durable, or fails or is cancelled.</summary>
    public Task Completion => _completion.Task;

    /// <inheritdoc />
    public override int OperationCount => batch.Operations.Count;

    /// <inheritdoc />
    public override int ResultCount => batch.Fences.Count;

    /// <inheritdoc />
    public override void AppendArguments(List<RedisValue> arguments)
    {
        var fences = batch.Fences;
        if (fences.Count == 0)
        {
            AppendOperations(arguments);
            return;
        }

        // The fences: their count, the number of arguments the script skips when one epoch is stale, then path and epoch of each.
        arguments.Add(_fence);
        arguments.Add(fences.Count);
        var countAt = arguments.Count;
        arguments.Add(0);
        foreach (var fence in fences)
        {
            arguments.Add(fence.EntityPath);
            arguments.Add(fence.Epoch);
        }

        var operationsAt = arguments.Count;
        AppendOperations(arguments);
        arguments[countAt] = arguments.Count - operationsAt;
    }

    private void AppendOperations(List<RedisValue> arguments)
    {
        foreach (var operation in batch.Operations)
        {
            switch (operation.Kind)
            {
                case StoreOperationKind.PutMessage:
                    arguments.Add(_put);
                    arguments.Add(operation.EntityPath);
                    arguments.Add(RedisLayout.Field(operation.SequenceNumber));
                    // Copied: a RedisValue keeps the caller's memory, and after a timeout the client may still be
                    // writing the command when our task has failed and the caller has recycled that memory.
                    arguments.Add(operation.Payload.ToArray());
                    arguments.Add(operation.State);
                    break;
                case StoreOperationKind.UpdateMessageState:
                    arguments.Add(_update);
                    arguments.Add(operation.EntityPath);
                    arguments.Add(RedisLayout.Field(operation.SequenceNumber));
                    arguments.Add(operation.State);
                    break;
                case StoreOperationKind.DeleteMessage:
                    arguments.Add(_delete);
                    arguments.Add(operation.EntityPath);
                    arguments.Add(RedisLayout.Field(operation.SequenceNumber));
                    break;
                case StoreOperationKind.PutEntity:
                    arguments.Add(_putEntity);
                    arguments.Add(operation.Entity!.Path);
                    arguments.Add(RedisLayout.EncodeEntity(operation.Entity));
                    break;
                case StoreOperationKind.DeleteEntity:
                    arguments.Add(_deleteEntity);
                    arguments.Add(operation.EntityPath);
                    break;
                case StoreOperationKind.PutDepth:
                    arguments.Add(_putDepth);
                    arguments.Add(operation.EntityPath);
                    arguments.Add(operation.State);
                    break;
                default:
                    throw new InvalidOperationException($"Unknown store operation {operation.Kind}.");
            }
        }
    }

    /// <inheritdoc />
    public override void Succeed(ReadOnlySpan<long> results)
    {
        var fences = batch.Fences;
        for (var i = 0; i < fences.Count; i++)
        {
            if (results[i] != fences[i].Epoch)
            {
                // The script skipped the batch: an activation with a newer epoch owns that entity (or it is gone).
                _completion.TrySetException(new StaleEpochException(fences[i], results[i] == 0 ? null : results[i]));
                return;
            }
        }

        _completion.TrySetResult();
    }

    /// <inheritdoc />
    public override void Fail(Exception exception) => _completion.TrySetException(exception);

    /// <inheritdoc />
    protected override void SetCanceled(CancellationToken cancellationToken) => _completion.TrySetCanceled(cancellationToken);
}

/// <summary>An entity's next epoch, to draw in a group commit (see <see cref="IMessageStore.AcquireEpochAsync"/>).</summary>
internal sealed class RedisEpochAcquisition(string entityPath, CancellationToken cancellationToken) : RedisWriteRequest(cancellationToken)
{
    private static readonly RedisValue _acquire = "A";

    private readonly TaskCompletionSource<long?> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The new epoch once it is durable; null when the path has no catalog entry.</summary>
    public Task<long?> Completion => _completion.Task;

    /// <inheritdoc />
    public override int OperationCount => 1;

    /// <inheritdoc />
    public override int ResultCount => 1;

    /// <inheritdoc />
    public override void AppendArguments(List<RedisValue> arguments)
    {
        arguments.Add(_acquire);
        arguments.Add(entityPath);
    }

    /// <inheritdoc />
    public override void Succeed(ReadOnlySpan<long> results) => _completion.TrySetResult(results[0] == 0 ? null : results[0]);

    /// <inheritdoc />
    public override void Fail(Exception exception) => _completion.TrySetException(exception);

    /// <inheritdoc />
    protected override void SetCanceled(CancellationToken cancellationToken) => _completion.TrySetCanceled(cancellationToken);
}

/// <summary>A catalog entry to add unless its path is taken, waiting for its group commit.</summary>
internal sealed class RedisEntityCreation(EntityRecord entity, CancellationToken cancellationToken) : RedisWriteRequest(cancellationToken)
{
    private static readonly RedisValue _create = "C";

    private readonly TaskCompletionSource<bool> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>True once the entry is durable, false when the path was taken.</summary>
    public Task<bool> Completion => _completion.Task;

    /// <inheritdoc />
    public override int OperationCount => 1;

    /// <inheritdoc />
    public override int ResultCount => 1;

    /// <inheritdoc />
    public override void AppendArguments(List<RedisValue> arguments)
    {
        arguments.Add(_create);
        arguments.Add(entity.Path);
        arguments.Add(RedisLayout.EncodeEntity(entity));
    }

    /// <inheritdoc />
    public override void Succeed(ReadOnlySpan<long> results) => _completion.TrySetResult(results[0] == 1);

    /// <inheritdoc />
    public override void Fail(Exception exception) => _completion.TrySetException(exception);

    /// <inheritdoc />
    protected override void SetCanceled(CancellationToken cancellationToken) => _completion.TrySetCanceled(cancellationToken);
}
