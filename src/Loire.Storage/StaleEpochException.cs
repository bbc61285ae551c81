namespace Loire.Storage;

/// <summary>
/// A fenced batch (<see cref="StoreBatch.RequireEpoch"/>) one of whose epochs is no longer its entity's current one:
/// another activation of that entity acquired a newer epoch, or the entity was deleted. <see cref="Fence"/> says which
/// entity. Nothing of the batch was applied; the rest of its group commit was not affected.
/// </summary>
public sealed class StaleEpochException : Exception
{
    /// <summary>Creates the error for <paramref name="fence"/>, whose entity's current epoch is <paramref name="currentEpoch"/> (null: none).</summary>
    public StaleEpochException(StoreFence fence, long? currentEpoch)
        : base(currentEpoch is { } current
            ? $"Epoch {fence?.Epoch} of '{fence?.EntityPath}' was superseded by epoch {current}; nothing of the batch was applied."
            : $"'{fence?.EntityPath}' has no current epoch (epoch {fence?.Epoch} is stale, or the entity was deleted); nothing of the batch was applied.")
    {
        ArgumentNullException.ThrowIfNull(fence);
        Fence = fence;
        CurrentEpoch = currentEpoch;
    }

    /// <summary>The precondition that failed (the first stale one, in the order the batch required them).</summary>
    public StoreFence Fence { get; }

    /// <summary>The entity's epoch when the batch was checked; null when it had none.</summary>
    public long? CurrentEpoch { get; }
}
