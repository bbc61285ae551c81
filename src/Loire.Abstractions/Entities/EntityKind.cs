namespace Loire.Entities;

/// <summary>What an entity path names.</summary>
[GenerateSerializer, Alias("loire.EntityKind")]
public enum EntityKind
{
    /// <summary>A point-to-point queue.</summary>
    Queue = 0,
    /// <summary>A publish/subscribe topic.</summary>
    Topic = 1,
    /// <summary>A subscription of a topic, consumed like a queue.</summary>
    Subscription = 2,
}
