namespace Loire.Storage.Sqlite;

/// <summary>What one compaction pass did.</summary>
/// <param name="ReleasedPages">Free pages given back to the file system by <c>incremental_vacuum</c>.</param>
/// <param name="RemainingFreePages">Free pages left inside the file.</param>
/// <param name="WalFrames">Frames the WAL held when the checkpoint ran.</param>
/// <param name="CheckpointedFrames">Frames copied into the database file.</param>
/// <param name="CheckpointBlocked">True when a reader kept the WAL from being truncated this time.</param>
internal readonly record struct CompactionResult(
    long ReleasedPages,
    long RemainingFreePages,
    long WalFrames,
    long CheckpointedFrames,
    bool CheckpointBlocked);
