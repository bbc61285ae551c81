using System.Diagnostics;
using System.Diagnostics.Metrics;
using Loire.Entities;
using Loire.Grains.Diagnostics;
using Loire.Grains.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace Loire.Grains.Depth;

/// <summary>
/// Publishes the catalog's depth of every entity as gauges, each entity on exactly one silo (see
/// <see cref="DepthOwnership"/>), so summing a gauge over silos counts every entity once, idle ones included. Every
/// <see cref="LoireBrokerOptions.DepthExportInterval"/> it reads the catalog, keeps the
/// <see cref="LoireBrokerOptions.MaxExportedEntities"/> deepest entities it owns for the gauges, and wakes owned entities
/// whose depth needs their grain: scheduled messages come due, or no depth recorded yet.
/// </summary>
internal sealed partial class EntityDepthPublisher : BackgroundService
{
    // Grains woken per pass, at most, and at once: a silo restarting on an old store wakes its share over a few passes.
    private const int MaxWakesPerPass = 256;
    private const int WakeConcurrency = 8;

    private readonly EntityDepthQuery _query;
    private readonly IClusterMembershipService _membership;
    private readonly ILocalSiloDetails _silo;
    private readonly IGrainFactory _grains;
    private readonly TimeProvider _time;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly LoireBrokerOptions _options;
    private readonly ILogger _logger;
    private readonly Histogram<double> _readDuration;
    private volatile DepthExport _export = DepthExport.Empty;

    public EntityDepthPublisher(EntityDepthQuery query, IClusterMembershipService membership, ILocalSiloDetails silo,
        IGrainFactory grains, TimeProvider time, IHostApplicationLifetime lifetime, IOptions<LoireBrokerOptions> options,
        IMeterFactory meterFactory, ILogger<EntityDepthPublisher> logger)
    {
        _lifetime = lifetime;
        _query = query;
        _membership = membership;
        _silo = silo;
        _grains = grains;
        _time = time;
        _options = options.Value;
        _logger = logger;
        var meter = meterFactory.Create(LoireInstruments.SourceName);
        meter.CreateObservableGauge("loire.entity.active_messages", () => Observe(static e => e.ActiveMessages), "{message}",
            "Active messages per entity (includes locked ones), from the catalog; reported by one silo per entity.");
        meter.CreateObservableGauge("loire.entity.dead_letter_messages", () => Observe(static e => e.DeadLetterMessages), "{message}",
            "Messages in each entity's dead-letter queue, from the catalog.");
        meter.CreateObservableGauge("loire.entity.scheduled_messages", () => Observe(static e => e.ScheduledMessages), "{message}",
            "Scheduled, not yet visible messages per entity, from the catalog.");
        meter.CreateObservableGauge("loire.entity.deferred_messages", () => Observe(static e => e.DeferredMessages), "{message}",
            "Deferred messages per entity, from the catalog.");
        meter.CreateObservableGauge("loire.entity.size", () => Observe(static e => e.SizeInBytes), "By",
            "Bytes held per entity, from the catalog.");
        meter.CreateObservableGauge("loire.entity.oldest_message_age", ObserveOldestAge, "s",
            "Age of the message waiting longest per entity (0 when none waits), from the catalog.");
        meter.CreateObservableGauge("loire.depth.owned_entities", () => (long)_export.OwnedCount, "{entity}",
            "Entities whose depth this silo reports (its share of the catalog).");
        meter.CreateObservableGauge("loire.depth.exported_entities", () => (long)_export.Entities.Length, "{entity}",
            "Entities this silo exports per-entity gauges for: its share, cut to the deepest MaxExportedEntities.");
        _readDuration = meter.CreateHistogram("loire.depth.read.duration", "s", "Time to read the catalog's depths once.",
            tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
    }

    /// <summary>Reads the catalog once: refreshes the gauges and wakes what needs waking. Returns the new export.</summary>
    internal async Task<DepthExport> RefreshAsync(CancellationToken cancellationToken)
    {
        var self = _silo.SiloAddress.ToParsableString();
        var silos = ActiveSilos(self);
        var started = Stopwatch.GetTimestamp();
        var owned = await _query.ReadAsync(prefix: null, path => DepthOwnership.IsOwner(path, self, silos), cancellationToken);
        _readDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);

        var now = _time.GetUtcNow();
        var toWake = new List<EntityDepthSummary>();
        foreach (var entity in owned)
        {
            if (entity.Kind != EntityKind.Topic && (!entity.IsRecorded || entity.HasDueScheduledMessages(now)) && toWake.Count < MaxWakesPerPass)
            {
                toWake.Add(entity);
            }
        }

        var export = DepthExport.Select(owned, _options.MaxExportedEntities);
        _export = export;
        if (export.OwnedCount > export.Entities.Length)
        {
            LogExportCapped(export.OwnedCount, export.Entities.Length);
        }

        await WakeAsync(toWake, cancellationToken);
        return export;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Waking grains needs a running silo, which the host has once every hosted service started.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (_lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        using var timer = new PeriodicTimer(_options.DepthExportInterval, _time);
        do
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // The store may be away for a while; the gauges keep their last values and the next pass tries again.
                LogRefreshFailed(exception);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private List<string> ActiveSilos(string self)
    {
        var silos = _membership.CurrentSnapshot.Members.Values
            .Where(static m => m.Status == SiloStatus.Active)
            .Select(static m => m.SiloAddress.ToParsableString())
            .ToList();
        if (!silos.Contains(self))
        {
            // Starting or stopping: until membership lists this silo as active, it owns nothing the others own.
            return silos.Count == 0 ? [self] : silos;
        }

        return silos;
    }

    /// <summary>Activates each entity's grain (reading its runtime properties), which records its depth and promotes due messages.</summary>
    private async Task WakeAsync(List<EntityDepthSummary> entities, CancellationToken cancellationToken)
    {
        if (entities.Count == 0)
        {
            return;
        }

        await Parallel.ForEachAsync(entities, new ParallelOptions { MaxDegreeOfParallelism = WakeConcurrency, CancellationToken = cancellationToken },
            async (entity, ct) =>
            {
                try
                {
                    await _grains.GetGrain<IQueueGrain>(entity.Path).GetRuntimeInfoAsync(ct);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogWakeFailed(entity.Path, exception);
                }
            });
    }

    private IEnumerable<Measurement<long>> Observe(Func<EntityDepthSummary, long> select)
    {
        foreach (var entity in _export.Entities)
        {
            yield return new Measurement<long>(select(entity), new KeyValuePair<string, object?>("entity", entity.Path));
        }
    }

    private IEnumerable<Measurement<double>> ObserveOldestAge()
    {
        var now = _time.GetUtcNow();
        foreach (var entity in _export.Entities)
        {
            yield return new Measurement<double>(entity.OldestMessageAge(now).TotalSeconds, new KeyValuePair<string, object?>("entity", entity.Path));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading entity depths from the catalog failed; the gauges keep their last values")]
    private partial void LogRefreshFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Waking {Entity} to record its depth failed")]
    private partial void LogWakeFailed(string entity, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "This silo owns the depth of {Owned} entities and exports the deepest {Exported}")]
    private partial void LogExportCapped(int owned, int exported);
}

/// <summary>The entities a silo's depth gauges report, and how many it owns in all.</summary>
internal sealed record DepthExport(EntityDepthSummary[] Entities, int OwnedCount)
{
    public static DepthExport Empty { get; } = new([], 0);

    /// <summary>The <paramref name="max"/> deepest of <paramref name="owned"/> (ties by path): the ones an autoscaler or an operator looks for.</summary>
    public static DepthExport Select(IReadOnlyCollection<EntityDepthSummary> owned, int max) => new(
        owned.OrderByDescending(static e => e.ActiveMessages + e.DeadLetterMessages + e.ScheduledMessages + e.DeferredMessages)
            .ThenBy(static e => e.Path, StringComparer.Ordinal)
            .Take(max)
            .ToArray(),
        owned.Count);
}
