namespace Loire.Storage;

/// <summary>What a commit of the embedded store survives once <see cref="IMessageStore.CommitAsync"/> has returned.</summary>
public enum SqliteDurability
{
    /// <summary>
    /// Every group commit is flushed to stable storage (an fsync of the WAL, as SQLite's <c>synchronous=FULL</c> does,
    /// but beside the writer, which goes on with the next group meanwhile) before any of its waiters is released:
    /// committed batches survive a process crash, an OS crash and a power loss.
    /// </summary>
    Full = 0,

    /// <summary>
    /// Commits are handed to the operating system and flushed only at checkpoints (SQLite <c>synchronous=NORMAL</c> in
    /// WAL mode): committed batches survive a process crash, but the last ones may be lost on an OS crash or power loss.
    /// The database itself never corrupts.
    /// </summary>
    Normal = 1,
}
