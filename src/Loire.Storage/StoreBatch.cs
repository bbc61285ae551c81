namespace Loire.Storage;

/// <summary>Operations applied together, atomically, by <see cref="IMessageStore.CommitAsync"/>.</summary>
public sealed class StoreBatch
{
    private readonly List<StoreOperation> _operations;

    /// <summary>An empty batch.</summary>
    public StoreBatch() => _operations = [];

    /// <summary>An empty batch with room for <paramref name="capacity"/> operations before its list grows.</summary>
    public StoreBatch(int capacity) => _operations = new(capacity);

    /// <summary>The operations in the order they were added.</summary>
    public IReadOnlyList<StoreOperation> Operations => _operations;

    /// <summary>True when there is nothing to commit.</summary>
    public bool IsEmpty => _operations.Count == 0;

    private List<StoreFence>? _fences;

    /// <summary>The epochs the batch requires, one per entity; empty for a batch that applies unconditionally.</summary>
    public IReadOnlyList<StoreFence> Fences => (IReadOnlyList<StoreFence>?)_fences ?? [];

    /// <summary>
    /// Makes the batch apply only while <paramref name="epoch"/> is still the current epoch of
    /// <paramref name="entityPath"/> (the one <see cref="IMessageStore.AcquireEpochAsync"/> handed out last); otherwise
    /// the commit fails with <see cref="StaleEpochException"/> and nothing of the batch is applied. The store checks
    /// this atomically with the batch's writes, so an activation that was superseded cannot write after it. A batch
    /// may require the epochs of several entities (a topic's fan-out requires its own and every subscription's): it
    /// applies only while all of them are current. Requiring the same epoch of an entity again changes nothing.
    /// </summary>
    /// <exception cref="ArgumentException">The batch already requires another epoch of <paramref name="entityPath"/>.</exception>
    public StoreBatch RequireEpoch(string entityPath, long epoch)
    {
        ArgumentException.ThrowIfNullOrEmpty(entityPath);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epoch);
        _fences ??= [];
        foreach (var fence in _fences)
        {
            if (fence.EntityPath == entityPath)
            {
                return fence.Epoch == epoch
                    ? this
                    : throw new ArgumentException($"The batch already requires epoch {fence.Epoch} of '{entityPath}', not {epoch}.", nameof(epoch));
            }
        }

        _fences.Add(new StoreFence(entityPath, epoch));
        return this;
    }

    /// <summary>Inserts or replaces a message.</summary>
    public StoreBatch PutMessage(string entityPath, long sequenceNumber, ReadOnlyMemory<byte> payload, ReadOnlyMemory<byte> state)
    {
        _operations.Add(new StoreOperation(StoreOperationKind.PutMessage, entityPath, sequenceNumber, payload, state, null));
        return this;
    }

    /// <summary>Replaces the delivery state of a stored message; no-op if it is gone.</summary>
    public StoreBatch UpdateMessageState(string entityPath, long sequenceNumber, ReadOnlyMemory<byte> state)
    {
        _operations.Add(new StoreOperation(StoreOperationKind.UpdateMessageState, entityPath, sequenceNumber, default, state, null));
        return this;
    }

    /// <summary>Removes a message; no-op if it is gone.</summary>
    public StoreBatch DeleteMessage(string entityPath, long sequenceNumber)
    {
        _operations.Add(new StoreOperation(StoreOperationKind.DeleteMessage, entityPath, sequenceNumber, default, default, null));
        return this;
    }

    /// <summary>Inserts or replaces a catalog entry.</summary>
    public StoreBatch PutEntity(EntityRecord entity)
    {
        _operations.Add(new StoreOperation(StoreOperationKind.PutEntity, entity.Path, 0, default, default, entity));
        return this;
    }

    /// <summary>
    /// Records the entity's depth next to its catalog entry (replacing the previous one); no-op when the entity has
    /// no catalog entry by the time the batch applies.
    /// </summary>
    public StoreBatch PutDepth(string entityPath, EntityDepth depth)
    {
        _operations.Add(new StoreOperation(StoreOperationKind.PutDepth, entityPath, 0, default, depth.Encode(), null));
        return this;
    }

    /// <summary>Removes a catalog entry, its depth and every message of that entity path.</summary>
    public StoreBatch DeleteEntity(string entityPath)
    {
        _operations.Add(new StoreOperation(StoreOperationKind.DeleteEntity, entityPath, 0, default, default, null));
        return this;
    }
}

/// <summary>A precondition of a fenced <see cref="StoreBatch"/>: the entity's current epoch must be <paramref name="Epoch"/>.</summary>
public sealed record StoreFence(string EntityPath, long Epoch);

/// <summary>What a <see cref="StoreOperation"/> does.</summary>
public enum StoreOperationKind : byte
{
    PutMessage,
    UpdateMessageState,
    DeleteMessage,
    PutEntity,
    DeleteEntity,
    /// <summary>The encoded <see cref="EntityDepth"/> is in <see cref="StoreOperation.State"/>.</summary>
    PutDepth,
}

/// <summary>One operation of a <see cref="StoreBatch"/>.</summary>
public readonly record struct StoreOperation(
    StoreOperationKind Kind,
    string EntityPath,
    long SequenceNumber,
    ReadOnlyMemory<byte> Payload,
    ReadOnlyMemory<byte> State,
    EntityRecord? Entity);
