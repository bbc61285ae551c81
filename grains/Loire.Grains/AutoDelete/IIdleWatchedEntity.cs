using Loire.Grains.Persistence;

namespace Loire.Grains.AutoDelete;

/// <summary>What an <see cref="IdleWatch"/> needs from the entity grain it watches.</summary>
internal interface IIdleWatchedEntity
{
    /// <summary>The entity's path, for logs.</summary>
    string EntityPath { get; }

    /// <summary>The entity's catalog document; null while the entity does not exist.</summary>
    EntityDocument? Document { get; }

    /// <summary>True while the entity has store writes in flight (they count as use).</summary>
    bool HasWritesInFlight { get; }

    /// <summary>Writes the last-activity time into the catalog; false when the write was skipped.</summary>
    Task<bool> PersistLastActivityAsync(DateTimeOffset lastActivity);

    /// <summary>Deletes the entity because it was idle for its AutoDeleteOnIdle.</summary>
    Task DeleteIdleEntityAsync();
}
