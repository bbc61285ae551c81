namespace Loire.Storage;

/// <summary>
/// Where entities keep their messages and their catalog entry. Implementations group-commit:
/// batches committed concurrently (from many grains) share one durable write.
/// </summary>
public interface IMessageStore : IAsyncDisposable
{
    /// <summary>
    /// Applies every operation of <paramref name="batch"/> atomically. The task completes once the batch is
    /// durable; it fails with <c>LoireException(StoreUnavailable)</c> when the store cannot be written, and then
    /// nothing of the batch was applied.
    /// </summary>
    /// <remarks>
    /// The batch is queued before the call returns, and batches are applied in the order they were queued: a batch
    /// committed after another never lands before it. Updating or deleting a message that does not exist is a no-op.
    /// Queue grains with early delivery rely on both. The store reads the payloads of the batch's messages only until
    /// the returned task has completed, however it completes: a caller may encode them into rented memory and return it
    /// to its pool then.
    /// </remarks>
    ValueTask CommitAsync(StoreBatch batch, CancellationToken cancellationToken = default);

    /// <summary>
    /// Hands the entity a new epoch, greater than every epoch this store handed out before (to any path), and makes it
    /// the entity's current one: from then on a batch fenced (<see cref="StoreBatch.RequireEpoch"/>) with an older
    /// epoch of this path fails with <see cref="StaleEpochException"/>. Goes through the writer like a batch, so it
    /// lands after every batch queued before it and is durable when it returns. Returns null, setting no epoch, when the
    /// path has no catalog entry. Deleting the entity forgets its epoch.
    /// </summary>
    /// <remarks>An entity grain calls this when it activates, before it loads its state, so whatever an older activation
    /// committed before is in what it loads and nothing that activation commits afterwards can land.</remarks>
    Task<long?> AcquireEpochAsync(string entityPath, CancellationToken cancellationToken = default);

    /// <summary>Every message record of an entity, ordered by sequence number.</summary>
    Task<IReadOnlyList<MessageRecord>> LoadMessagesAsync(string entityPath, CancellationToken cancellationToken = default);

    /// <summary>Adds a catalog entry unless its path is taken (by any kind); durable when it returns true.</summary>
    Task<bool> TryCreateEntityAsync(EntityRecord entity, CancellationToken cancellationToken = default);

    /// <summary>The catalog entry at <paramref name="path"/>, or null.</summary>
    Task<EntityRecord?> GetEntityAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Catalog entries, ordered by path: those of <paramref name="kind"/> (any when null) whose path starts with <paramref name="prefix"/> (any when null) and sorts after <paramref name="afterPath"/> (from the first when null).</summary>
    Task<IReadOnlyList<EntityRecord>> ListEntitiesAsync(int? kind, string? prefix, string? afterPath, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>
    /// Catalog entries of every kind with their recorded depths, ordered by path, filtered by <paramref name="prefix"/>
    /// and <paramref name="afterPath"/> as <see cref="ListEntitiesAsync"/> does. Reads no message.
    /// </summary>
    Task<IReadOnlyList<EntityDepthRecord>> ListDepthsAsync(string? prefix, string? afterPath, int maxCount, CancellationToken cancellationToken = default);
}
