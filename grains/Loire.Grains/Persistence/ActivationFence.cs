using Loire.Client;
using Loire.Storage;
using Microsoft.Extensions.Logging;

namespace Loire.Grains.Persistence;

/// <summary>
/// One activation's claim on its entity in the store. While membership changes, Orleans may briefly run two
/// activations of one entity on two silos; both would number from the same reserved ceiling and write from their own
/// memory, overwriting each other's messages. So an activation acquires a new epoch before it loads, every write it
/// makes requires that epoch, and once a newer activation has taken over, the older one's writes fail atomically,
/// change nothing, and make it step aside: it refuses every further call with a transient error and deactivates, so
/// callers retry onto the activation that owns the entity.
/// </summary>
internal sealed partial class ActivationFence(IMessageStore store, string entityPath, ILogger logger)
{
    /// <summary>The epoch this activation acquired; 0 before it acquired one.</summary>
    public long Epoch { get; private set; }

    /// <summary>True once a write found a newer activation in charge; the activation must serve nothing more.</summary>
    public bool IsSuperseded { get; private set; }

    /// <summary>
    /// Takes a new epoch, then reads the catalog entry again: whatever an older activation committed before the epoch
    /// changed hands is in what this one loads. Null when the entity is gone meanwhile.
    /// </summary>
    public async Task<EntityRecord?> AcquireAsync(CancellationToken cancellationToken)
    {
        if (await store.AcquireEpochAsync(entityPath, cancellationToken) is not { } epoch)
        {
            return null;
        }

        Epoch = epoch;
        return await store.GetEntityAsync(entityPath, cancellationToken);
    }

    /// <summary>
    /// Commits <paramref name="batch"/> under this activation's epoch (unconditionally before one was acquired), next to
    /// any other fences the batch carries. A stale epoch of this entity marks the activation superseded, runs
    /// <paramref name="onSuperseded"/> once and throws <see cref="Superseded"/>'s error; another entity's stale epoch is
    /// that entity's business, and its <see cref="StaleEpochException"/> reaches the caller.
    /// </summary>
    public async Task CommitAsync(StoreBatch batch, Action onSuperseded, CancellationToken cancellationToken)
    {
        ThrowIfSuperseded();
        if (Epoch > 0)
        {
            batch.RequireEpoch(entityPath, Epoch);
        }

        try
        {
            await store.CommitAsync(batch, cancellationToken);
        }
        catch (StaleEpochException stale) when (stale.Fence.EntityPath == entityPath)
        {
            StepAside(stale.CurrentEpoch, onSuperseded);
            throw Superseded();
        }
    }

    /// <summary>
    /// Marks the activation superseded when the store found <paramref name="epoch"/> stale in a batch another grain
    /// committed for it (a topic's fan-out) and it is this activation's epoch: runs <paramref name="onSuperseded"/> once.
    /// Another activation's epoch leaves this one in charge.
    /// </summary>
    public void StepAsideIfStale(long epoch, Action onSuperseded)
    {
        if (epoch > 0 && epoch == Epoch)
        {
            StepAside(null, onSuperseded);
        }
    }

    private void StepAside(long? currentEpoch, Action onSuperseded)
    {
        if (!IsSuperseded)
        {
            IsSuperseded = true;
            LogSuperseded(entityPath, Epoch, currentEpoch);
            onSuperseded();
        }
    }

    /// <summary>Throws <see cref="Superseded"/>'s error once the activation was superseded.</summary>
    public void ThrowIfSuperseded()
    {
        if (IsSuperseded)
        {
            throw Superseded();
        }
    }

    /// <summary>What a superseded activation answers: transient, so the caller retries onto the live one.</summary>
    public LoireException Superseded() =>
        new(LoireErrorReason.ServiceBusy, "The entity is served by another activation now; retry.", entityPath);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Activation of {Entity} with epoch {Epoch} was superseded (current epoch {CurrentEpoch}); it deactivates")]
    private partial void LogSuperseded(string entity, long epoch, long? currentEpoch);
}
