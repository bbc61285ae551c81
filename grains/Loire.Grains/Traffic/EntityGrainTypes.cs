using Loire.Grains.Queues;
using Loire.Grains.Topics;

namespace Loire.Grains.Traffic;

/// <summary>Tells Loire's entity grains apart in Orleans' grain statistics, which name grains "Class.Full.Name,Assembly".</summary>
public static class EntityGrainTypes
{
    /// <summary>"queue" for queue and subscription grains, "topic" for topic grains, null for any other grain.</summary>
    public static string? KindOf(string grainType)
    {
        var comma = grainType.IndexOf(',', StringComparison.Ordinal);
        var className = comma < 0 ? grainType : grainType[..comma];
        return className == typeof(QueueGrain).FullName ? "queue"
            : className == typeof(TopicGrain).FullName ? "topic"
            : null;
    }
}
