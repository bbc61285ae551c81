namespace Loire.Storage;

/// <summary>
/// Counters and file sizes of a <see cref="SqliteMessageStore"/> since it opened. <see cref="Commits"/> lower than
/// <see cref="CommittedBatches"/> shows that concurrent batches shared durable writes.
/// </summary>
/// <param name="Commits">Transactions committed durably.</param>
/// <param name="CommittedBatches">Write requests (batches and entity creations) made durable by those transactions.</param>
/// <param name="CommittedOperations">Operations of those requests (an entity creation counts as one).</param>
/// <param name="FailedCommits">Group commits that failed, each failing all of its waiters with <c>StoreUnavailable</c>.</param>
/// <param name="DatabaseBytes">Size of the database file.</param>
/// <param name="WalBytes">Size of the write-ahead log file (0 when absent).</param>
/// <param name="FreelistPages">Unused pages inside the database file, released by compaction.</param>
/// <param name="Compactions">Compaction passes run (periodic and requested).</param>
public sealed record StoreStatistics(
    long Commits,
    long CommittedBatches,
    long CommittedOperations,
    long FailedCommits,
    long DatabaseBytes,
    long WalBytes,
    long FreelistPages,
    long Compactions);
