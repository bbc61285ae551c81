using Microsoft.Extensions.Logging;

namespace Loire.Storage.Sqlite;

/// <summary>The embedded store's log messages.</summary>
internal static partial class StoreLog
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Information,
        Message = "Message store opened at {DatabasePath} (durability {Durability}, schema version {SchemaVersion})")]
    public static partial void Opened(ILogger logger, string databasePath, SqliteDurability durability, int schemaVersion);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information,
        Message = "Message store at {DatabasePath} closed after {Commits} commits of {Batches} batches")]
    public static partial void Closed(ILogger logger, string databasePath, long commits, long batches);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Error,
        Message = "Group commit of {BatchCount} batches ({OperationCount} operations) failed; its callers get StoreUnavailable")]
    public static partial void CommitFailed(ILogger logger, Exception exception, int batchCount, int operationCount);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning,
        Message = "A batch of {OperationCount} operations was undone; the other batches of its group go on")]
    public static partial void BatchRejected(ILogger logger, Exception exception, int operationCount);

    [LoggerMessage(EventId = 4104,
        Message = "Compaction released {ReleasedPages} pages ({RemainingFreePages} free left); WAL checkpoint {CheckpointedFrames}/{WalFrames} frames, blocked by a reader: {Blocked}; took {ElapsedMs:F1} ms")]
    public static partial void Compacted(ILogger logger, LogLevel level, long releasedPages, long remainingFreePages,
        long checkpointedFrames, long walFrames, bool blocked, double elapsedMs);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Warning, Message = "Compaction failed; it is tried again next interval")]
    public static partial void CompactionFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4106, Level = LogLevel.Critical,
        Message = "The message store writer stopped unexpectedly; every pending and later write fails")]
    public static partial void WriterCrashed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4107, Level = LogLevel.Debug,
        Message = "Background WAL checkpoint copied {CopiedFrames}/{WalFrames} frames in {ElapsedMs:F1} ms")]
    public static partial void Checkpointed(ILogger logger, long copiedFrames, long walFrames, double elapsedMs);

    [LoggerMessage(EventId = 4108, Level = LogLevel.Warning,
        Message = "Background WAL checkpoint failed; it is tried again after the next writes")]
    public static partial void CheckpointFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4109, Level = LogLevel.Information,
        Message = "A batch of {EntityPath} fenced with epoch {Epoch} was refused: the current epoch is {CurrentEpoch}")]
    public static partial void BatchFenced(ILogger logger, string entityPath, long epoch, long? currentEpoch);

    [LoggerMessage(EventId = 4110, Level = LogLevel.Critical,
        Message = "The message store could not flush its write-ahead log to disk; it takes no more writes (restart the silo once the disk is healthy)")]
    public static partial void WalFlushFailed(ILogger logger, Exception exception);
}
