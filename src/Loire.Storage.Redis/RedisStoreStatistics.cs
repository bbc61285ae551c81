namespace Loire.Storage.Redis;

/// <summary>
/// Counters of a <see cref="RedisMessageStore"/> since it connected. <see cref="Commits"/> lower than
/// <see cref="CommittedBatches"/> shows that concurrent batches shared one script (one round trip, one AOF fsync).
/// </summary>
/// <param name="Commits">Group commits (one Lua script each) that Redis executed.</param>
/// <param name="CommittedBatches">Write requests (batches and entity creations) made durable by those commits.</param>
/// <param name="CommittedOperations">Operations of those requests (an entity creation counts as one).</param>
/// <param name="FailedCommits">Group commits that failed, each failing all of its waiters with <c>StoreUnavailable</c>.</param>
/// <param name="IsConnected">Whether the client is connected to Redis right now.</param>
public sealed record RedisStoreStatistics(
    long Commits,
    long CommittedBatches,
    long CommittedOperations,
    long FailedCommits,
    bool IsConnected);
