namespace Loire.Grains.AutoDelete;

/// <summary>
/// One bucket of the index of entities with AutoDeleteOnIdle, kept as Orleans grain state. The sweeper reads it instead
/// of the whole catalog, so a million entities that never auto-delete cost it nothing. An entry is a hint: it is added
/// before its entity is created and may outlive it; the sweeper drops entries whose entity is gone.
/// </summary>
[Alias("loire.IAutoDeleteIndexGrain")]
internal interface IAutoDeleteIndexGrain : IGrainWithIntegerKey
{
    /// <summary>Adds or refreshes the entry of <paramref name="path"/>; durable when it returns.</summary>
    [Alias("Add")]
    Task AddAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Removes <paramref name="entry"/> unless it was added again since it was listed.</summary>
    [Alias("Remove")]
    Task RemoveAsync(AutoDeleteIndexEntry entry, CancellationToken cancellationToken = default);

    [Alias("List")]
    Task<AutoDeleteIndexEntry[]> ListAsync(CancellationToken cancellationToken = default);
}

/// <summary>An entity that auto-deletes (its path), and when the entry was added.</summary>
[GenerateSerializer, Immutable, Alias("loire.AutoDeleteIndexEntry")]
internal sealed record AutoDeleteIndexEntry([property: Id(0)] string Path, [property: Id(1)] DateTimeOffset AddedAt);
