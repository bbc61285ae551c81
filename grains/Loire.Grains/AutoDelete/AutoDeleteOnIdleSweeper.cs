using Loire.Entities;
using Loire.Grains.Hosting;
using Loire.Grains.Persistence;
using Loire.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Loire.Grains.AutoDelete;

/// <summary>
/// Makes sure the idle clock of every entity with AutoDeleteOnIdle runs even when its grain is not active. When the
/// silo becomes active it activates all of them, so their clocks resume after a restart (from the persisted last
/// activity) instead of waiting for a first call that may never come. Afterwards it looks every
/// <see cref="SweepPeriod"/> for overdue ones (idle past their time by the persisted last activity) and activates
/// those: a grain that lost its activation some other way (memory pressure, a forced collection, its silo died)
/// deletes itself then. It finds them in the auto-delete index (<see cref="IAutoDeleteIndexGrain"/>), not by reading
/// the catalog, and drops index entries whose entity no longer auto-deletes. Runs in the background; silo start does
/// not wait for it. Activating an entity that is already active costs one call.
/// </summary>
internal sealed partial class AutoDeleteOnIdleSweeper(
    IMessageStore store,
    GrainPayloadCodec codec,
    IGrainFactory grainFactory,
    IOptions<LoireBrokerOptions> brokerOptions,
    TimeProvider time,
    ILogger<AutoDeleteOnIdleSweeper> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>How often overdue entities are looked for after the first sweep.</summary>
    public static readonly TimeSpan SweepPeriod = TimeSpan.FromMinutes(5);

    /// <summary>
    /// An index entry younger than this is kept even when its entity is not there: the entity may still be being
    /// created. Settable for tests.
    /// </summary>
    public TimeSpan CreationGrace { get; set; } = TimeSpan.FromMinutes(1);

    private const int Parallelism = 16;

    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(AutoDeleteOnIdleSweeper), ServiceLifecycleStage.Active, OnStartAsync, OnStopAsync);

    /// <summary>
    /// Activates the auto-deleting entities (all of them, or only those idle past their time) and returns how many
    /// it activated. The background loop calls it; tests may too.
    /// </summary>
    public async Task<int> SweepAsync(bool onlyOverdue, CancellationToken cancellationToken)
    {
        var woken = 0;
        for (var bucket = 0; bucket < AutoDeleteIndexGrain.BucketCount; bucket++)
        {
            var index = grainFactory.GetGrain<IAutoDeleteIndexGrain>(bucket);
            var entries = await index.ListAsync(cancellationToken);
            await Parallel.ForEachAsync(entries, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
                async (entry, ct) =>
                {
                    if (await SweepEntryAsync(index, entry, onlyOverdue, ct))
                    {
                        Interlocked.Increment(ref woken);
                    }
                });
        }

        return woken;
    }

    /// <summary>Wakes the entity of <paramref name="entry"/> if it is due; true when it did.</summary>
    private async Task<bool> SweepEntryAsync(IAutoDeleteIndexGrain index, AutoDeleteIndexEntry entry, bool onlyOverdue, CancellationToken cancellationToken)
    {
        EntityDocument? document = null;
        if (await store.GetEntityAsync(entry.Path, cancellationToken) is { } record)
        {
            try
            {
                document = codec.DecodeEntity(record);
            }
            catch (Exception exception)
            {
                LogUndecodable(entry.Path, exception);
                return false;
            }
        }

        var idle = document?.Description.Options.AutoDeleteOnIdle ?? TimeSpan.MaxValue;
        if (idle == TimeSpan.MaxValue)
        {
            // Deleted, or never created: the entry was only a hint.
            if (time.GetUtcNow() - entry.AddedAt > CreationGrace)
            {
                await index.RemoveAsync(entry, cancellationToken);
            }

            return false;
        }

        if (onlyOverdue && !IsOverdue(document!, idle, time.GetUtcNow()))
        {
            return false;
        }

        await WakeAsync(document!.Description, cancellationToken);
        return true;
    }

    private bool IsOverdue(EntityDocument document, TimeSpan idle, DateTimeOffset now)
    {
        var persisted = document.LastActivityAt ?? document.Description.UpdatedAt;
        return IdleClock.Resume(idle, brokerOptions.Value.EntityIdleTimeout, persisted, now).IsIdle(now);
    }

    private Task OnStartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task OnStopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        try
        {
            await _loop.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        var onlyOverdue = false;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var woken = await SweepAsync(onlyOverdue, stopping);
                if (!onlyOverdue || woken > 0)
                {
                    LogSwept(woken, onlyOverdue);
                }

                onlyOverdue = true;
                await Task.Delay(SweepPeriod, time, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                LogSweepFailed(exception);
                try
                {
                    await Task.Delay(SweepPeriod, time, stopping);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task WakeAsync(EntityDescription entity, CancellationToken cancellationToken)
    {
        try
        {
            // Reading the description does not count as use; activating the grain starts its idle clock.
            await EntityGrains.Get(grainFactory, entity.Kind, entity.Path).GetDescriptionAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Deleted meanwhile, or the cluster is still settling: the next sweep or call starts its clock.
            LogWakeFailed(entity.Path, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Activated {Count} auto-deleting entities (only overdue ones: {OnlyOverdue})")]
    private partial void LogSwept(int count, bool onlyOverdue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sweep for auto-deleting entities failed; it is retried")]
    private partial void LogSweepFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not activate auto-deleting entity {Entity}")]
    private partial void LogWakeFailed(string entity, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Catalog entry {Entity} could not be decoded")]
    private partial void LogUndecodable(string entity, Exception exception);
}

/// <summary>Registers AutoDeleteOnIdle's sweeper.</summary>
internal static class AutoDeleteOnIdleRegistration
{
    public static IServiceCollection AddAutoDeleteOnIdle(this IServiceCollection services)
    {
        services.TryAddSingleton<AutoDeleteOnIdleSweeper>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<AutoDeleteOnIdleSweeper>());
        return services;
    }
}
