namespace Loire.Storage;

/// <summary>Settings of <see cref="SqliteMessageStore"/>, read once when the store opens.</summary>
public sealed class SqliteMessageStoreOptions
{
    /// <summary>Folder that holds the database file and its WAL; created when missing. Required.</summary>
    public string DataDirectory { get; set; } = "";

    /// <summary>Name of the database file inside <see cref="DataDirectory"/>.</summary>
    public string FileName { get; set; } = "loire.db";

    /// <summary>What an acknowledged commit survives; see <see cref="SqliteDurability"/>.</summary>
    public SqliteDurability Durability { get; set; } = SqliteDurability.Full;

    /// <summary>
    /// Most operations the writer puts into one group commit. A single batch larger than this is not split: it is
    /// committed alone.
    /// </summary>
    public int MaxOperationsPerCommit { get; set; } = 20_000;

    /// <summary>
    /// How often the writer releases free pages and truncates the WAL when something was written since the last pass.
    /// A due pass waits for a quiet moment (no request for a quarter of a second), because it stalls the commits
    /// behind it; under constant load it runs at the latest ten intervals late. <see cref="Timeout.InfiniteTimeSpan"/>
    /// turns periodic compaction off (<see cref="SqliteMessageStore.CompactAsync"/> still works).
    /// </summary>
    public TimeSpan CompactionInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// About how many bytes the writer adds to the WAL before a background thread copies them into the database
    /// file. Smaller keeps the WAL smaller at the cost of more, shorter checkpoints (each is an fsync of the file).
    /// </summary>
    public long WalCheckpointThresholdBytes { get; set; } = 4L * 1024 * 1024;

    /// <summary>Full path of the database file.</summary>
    public string DatabasePath => Path.GetFullPath(Path.Combine(DataDirectory, FileName));

    /// <summary>Full path of the database's write-ahead log (SQLite's name for it).</summary>
    internal string WalPath => DatabasePath + "-wal";

    /// <summary>Throws <see cref="ArgumentException"/> when a setting is unusable.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            throw new ArgumentException("SqliteMessageStoreOptions.DataDirectory is required.", nameof(DataDirectory));
        }

        if (string.IsNullOrWhiteSpace(FileName) || FileName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
        {
            throw new ArgumentException($"SqliteMessageStoreOptions.FileName '{FileName}' is not a valid file name.", nameof(FileName));
        }

        if (!Enum.IsDefined(Durability))
        {
            throw new ArgumentException($"SqliteMessageStoreOptions.Durability '{Durability}' is not defined.", nameof(Durability));
        }

        if (MaxOperationsPerCommit < 1)
        {
            throw new ArgumentException("SqliteMessageStoreOptions.MaxOperationsPerCommit must be at least 1.", nameof(MaxOperationsPerCommit));
        }

        if (WalCheckpointThresholdBytes < 1)
        {
            throw new ArgumentException("SqliteMessageStoreOptions.WalCheckpointThresholdBytes must be at least 1.", nameof(WalCheckpointThresholdBytes));
        }

        if (CompactionInterval <= TimeSpan.Zero && CompactionInterval != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException("SqliteMessageStoreOptions.CompactionInterval must be positive or infinite.", nameof(CompactionInterval));
        }
    }

    internal SqliteMessageStoreOptions Snapshot() => new()
    {
        DataDirectory = DataDirectory,
        FileName = FileName,
        Durability = Durability,
        MaxOperationsPerCommit = MaxOperationsPerCommit,
        CompactionInterval = CompactionInterval,
        WalCheckpointThresholdBytes = WalCheckpointThresholdBytes,
    };
}
