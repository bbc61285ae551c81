namespace Loire.Grains.Traffic;

/// <summary>Cumulative message counts of one entity (its partitions summed), on one silo or summed over the cluster.</summary>
[GenerateSerializer, Immutable, Alias("loire.EntityTraffic")]
public sealed record EntityTraffic(
    [property: Id(0)] string Path,
    [property: Id(1)] long Sent,
    [property: Id(2)] long Delivered,
    [property: Id(3)] long Completed,
    [property: Id(4)] long DeadLettered)
{
    public EntityTraffic Add(EntityTraffic other) =>
        this with
        {
            Sent = Sent + other.Sent,
            Delivered = Delivered + other.Delivered,
            Completed = Completed + other.Completed,
            DeadLettered = DeadLettered + other.DeadLettered,
        };
}
