using System.Diagnostics;
using System.Diagnostics.Metrics;
using Loire.Grains.Traffic;
using Loire.Partitions;

namespace Loire.Grains.Diagnostics;

/// <summary>
/// Loire's broker instruments (meter and activity source "Loire"). Counters are tagged with the entity path; sent,
/// delivered, completed and dead-lettered also go to <see cref="EntityTrafficCounters"/>, which the console's rates read.
/// </summary>
internal sealed class LoireInstruments
{
    /// <summary>The name of Loire's meter and activity source.</summary>
    public const string SourceName = "Loire";

    public static readonly ActivitySource ActivitySource = new(SourceName);

    private readonly Counter<long> _sent;
    private readonly Counter<long> _delivered;
    private readonly Counter<long> _completed;
    private readonly Counter<long> _abandoned;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _expired;
    private readonly EntityTrafficCounters _traffic;

    public LoireInstruments(IMeterFactory meterFactory, EntityMetricsRegistry registry, EntityTrafficCounters traffic)
    {
        _traffic = traffic;
        var meter = meterFactory.Create(SourceName);
        _sent = meter.CreateCounter<long>("loire.messages.sent", "{message}", "Messages accepted durably by an entity.");
        _delivered = meter.CreateCounter<long>("loire.messages.delivered", "{message}", "Messages handed to receivers.");
        _completed = meter.CreateCounter<long>("loire.messages.completed", "{message}", "Messages completed (or received and deleted).");
        _abandoned = meter.CreateCounter<long>("loire.messages.abandoned", "{message}", "Messages abandoned or whose lock expired.");
        _deadLettered = meter.CreateCounter<long>("loire.messages.dead_lettered", "{message}", "Messages moved to a dead-letter queue.");
        _expired = meter.CreateCounter<long>("loire.messages.expired", "{message}", "Messages whose time to live ran out.");
        meter.CreateObservableGauge("loire.entity.locked_messages", registry.ObserveLocked, "{message}",
            "Messages currently locked by receivers, per entity active on this silo.");
    }

    public void Sent(string entity, long count)
    {
        _traffic.Sent(entity, count);
        Add(_sent, entity, count);
    }

    public void Delivered(string entity, long count)
    {
        _traffic.Delivered(entity, count);
        Add(_delivered, entity, count);
    }

    public void Completed(string entity, long count)
    {
        _traffic.Completed(entity, count);
        Add(_completed, entity, count);
    }

    public void Abandoned(string entity, long count) => Add(_abandoned, entity, count);

    public void DeadLettered(string entity, long count)
    {
        _traffic.DeadLettered(entity, count);
        Add(_deadLettered, entity, count);
    }

    /// <summary>A deleted entity's traffic counts go; the meter's series simply stop.</summary>
    public void Deleted(string entity) => _traffic.Remove(entity);

    public void Expired(string entity, long count) => Add(_expired, entity, count);

    private static void Add(Counter<long> counter, string entity, long count)
    {
        if (count > 0 && counter.Enabled)
        {
            // Partitions of an entity count as the entity.
            counter.Add(count, new KeyValuePair<string, object?>("entity", EntityPartitions.Parse(entity).EntityPath));
        }
    }
}
