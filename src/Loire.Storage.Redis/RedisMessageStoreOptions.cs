namespace Loire.Storage.Redis;

/// <summary>Settings of <see cref="RedisMessageStore"/>, read once when the store connects.</summary>
public sealed class RedisMessageStoreOptions
{
    /// <summary>
    /// StackExchange.Redis configuration string of one Redis server (a primary), e.g. <c>127.0.0.1:6379</c>. Required.
    /// Redis Cluster is not supported: a group commit touches keys of many entities in one script.
    /// </summary>
    public string Configuration { get; set; } = "";

    /// <summary>Prefix of every key the store writes, so several brokers (or tests) can share one Redis.</summary>
    public string KeyPrefix { get; set; } = "loire:";

    /// <summary>
    /// How long connecting and each command may take before it fails with <c>StoreUnavailable</c>; also the
    /// client's connect, sync and async timeouts.
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Most operations the writer puts into one group commit. A single batch larger than this is not split: it is
    /// committed alone.
    /// </summary>
    public int MaxOperationsPerCommit { get; set; } = 10_000;

    /// <summary>Throws <see cref="ArgumentException"/> when a setting is unusable.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Configuration))
        {
            throw new ArgumentException("RedisMessageStoreOptions.Configuration is required.", nameof(Configuration));
        }

        if (KeyPrefix is null)
        {
            throw new ArgumentException("RedisMessageStoreOptions.KeyPrefix must not be null.", nameof(KeyPrefix));
        }

        if (OperationTimeout <= TimeSpan.Zero || OperationTimeout > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException("RedisMessageStoreOptions.OperationTimeout must be positive and at most 10 minutes.",
                nameof(OperationTimeout));
        }

        if (MaxOperationsPerCommit < 1)
        {
            throw new ArgumentException("RedisMessageStoreOptions.MaxOperationsPerCommit must be at least 1.",
                nameof(MaxOperationsPerCommit));
        }
    }

    internal RedisMessageStoreOptions Snapshot() => new()
    {
        Configuration = Configuration,
        KeyPrefix = KeyPrefix,
        OperationTimeout = OperationTimeout,
        MaxOperationsPerCommit = MaxOperationsPerCommit,
    };
}
