using Loire.Client;
using Loire.Storage;
using Microsoft.Extensions.Logging;

namespace Loire.Grains.Queues;

/// <summary>
/// Activation fencing. While membership changes, Orleans may briefly run two activations of one queue on two silos;
/// both would number sends from the same reserved ceiling and settle from their own index, overwriting each other's
/// messages. So each activation acquires a new epoch from the store before it loads, every write it makes requires
/// that epoch, and once a newer activation has taken over, the older one's writes fail atomically, change nothing,
/// and make it step aside: it refuses every further call with a transient error and deactivates, so callers retry
/// onto the activation that owns the entity.
/// </summary>
internal sealed partial class QueueGrain
{
    private long _epoch;
    private bool _superseded;

    /// <summary>
    /// Takes a new epoch for this activation, then reads the catalog entry again: whatever an older activation
    /// committed before the epoch changed hands is in what this one loads. Null when the entity is gone meanwhile.
    /// </summary>
    private async Task<EntityRecord?> FenceAsync(CancellationToken cancellationToken)
    {
        if (await store.AcquireEpochAsync(Path, cancellationToken) is not { } epoch)
        {
            return null;
        }

        _epoch = epoch;
        return await store.GetEntityAsync(Path, cancellationToken);
    }

    /// <summary>Commits <paramref name="batch"/> under this activation's epoch; a stale epoch retires the activation.</summary>
    private async Task CommitFencedAsync(StoreBatch batch, CancellationToken cancellationToken)
    {
        if (_superseded)
        {
            throw Superseded();
        }

        if (_epoch > 0)
        {
            batch.RequireEpoch(Path, _epoch);
        }

        try
        {
            await store.CommitAsync(batch, cancellationToken);
        }
        catch (StaleEpochException stale)
        {
            StepAside(stale);
            throw Superseded();
        }
    }

    private void StepAside(StaleEpochException stale)
    {
        if (_superseded)
        {
            return;
        }

        _superseded = true;
        LogSuperseded(Path, stale.Fence.Epoch, stale.CurrentEpoch);
        FailWaiters(Superseded);
        DeactivateOnIdle();
    }

    private LoireException Superseded() =>
        new(LoireErrorReason.ServiceBusy, "The entity is served by another activation now; retry.", Path);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Activation of {Entity} with epoch {Epoch} was superseded (current epoch {CurrentEpoch}); it deactivates")]
    private partial void LogSuperseded(string entity, long epoch, long? currentEpoch);
}
