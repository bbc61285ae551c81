using Loire.Client;
using Loire.Entities;
using Loire.Grains.Hosting;
using Loire.Partitions;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace Loire.Grains.AutoDelete;

/// <summary>
/// A bucket of the AutoDeleteOnIdle index (see <see cref="IAutoDeleteIndexGrain"/>). Its entries are grain state in
/// <see cref="LoireSiloBuilderExtensions.GrainStorageName"/>: Redis in a cluster (or Azure Tables, --grain-storage azure), the message store on a single silo.
/// </summary>
[GrainType("loire-auto-delete-index")]
internal sealed partial class AutoDeleteIndexGrain(
    [PersistentState("entities", LoireSiloBuilderExtensions.GrainStorageName)] IPersistentState<AutoDeleteIndexState> state,
    TimeProvider time,
    ILogger<AutoDeleteIndexGrain> logger) : Grain, IAutoDeleteIndexGrain
{
    /// <summary>How many buckets the index has; an entity's bucket is a hash of its path.</summary>
    public const int BucketCount = 16;

    /// <summary>
    /// Indexes an entity with AutoDeleteOnIdle that is about to be created. Called before its catalog entry is
    /// written, so no crash can leave an auto-deleting entity out of the index.
    /// </summary>
    public static Task AddIfAutoDeletingAsync(IGrainFactory grainFactory, string path, EntityDescription description, CancellationToken cancellationToken) =>
        description.Options.AutoDeleteOnIdle == TimeSpan.MaxValue
            ? Task.CompletedTask
            : grainFactory.GetGrain<IAutoDeleteIndexGrain>(MessagePartitioner.PartitionOf(path, BucketCount)).AddAsync(path, cancellationToken);

    public async Task AddAsync(string path, CancellationToken cancellationToken = default)
    {
        // Always written, even when present: the fresh time keeps the sweeper from dropping the entry of an entity
        // whose creation is still under way.
        var entries = state.State.Entries;
        entries.TryGetValue(path, out var previous);
        entries[path] = new AutoDeleteIndexEntry(path, time.GetUtcNow());
        await WriteAsync(path, undo: () => Restore(path, previous));
    }

    public async Task RemoveAsync(AutoDeleteIndexEntry entry, CancellationToken cancellationToken = default)
    {
        var entries = state.State.Entries;
        if (!entries.TryGetValue(entry.Path, out var current) || current != entry)
        {
            return;
        }

        entries.Remove(entry.Path);
        await WriteAsync(entry.Path, undo: () => Restore(entry.Path, current));
    }

    public Task<AutoDeleteIndexEntry[]> ListAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(state.State.Entries.Values.ToArray());

    private void Restore(string path, AutoDeleteIndexEntry? entry)
    {
        if (entry is null)
        {
            state.State.Entries.Remove(path);
        }
        else
        {
            state.State.Entries[path] = entry;
        }
    }

    private async Task WriteAsync(string path, Action undo)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception exception)
        {
            // Memory must match storage: take the change back; after a conflict (another activation wrote
            // meanwhile) the next activation reads the stored state afresh.
            undo();
            if (exception is InconsistentStateException)
            {
                DeactivateOnIdle();
            }

            LogWriteFailed(this.GetPrimaryKeyLong(), exception);
            throw new LoireException(LoireErrorReason.StoreUnavailable, "The auto-delete index could not be written; retry.", path);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Auto-delete index bucket {Bucket} could not be written")]
    private partial void LogWriteFailed(long bucket, Exception exception);
}

/// <summary>The entries of one index bucket, by entity path.</summary>
[GenerateSerializer, Alias("loire.AutoDeleteIndexState")]
internal sealed class AutoDeleteIndexState
{
    [Id(0)]
    public Dictionary<string, AutoDeleteIndexEntry> Entries { get; set; } = new(StringComparer.Ordinal);
}
