using Microsoft.Extensions.Logging;

namespace Loire.Storage.Redis;

/// <summary>The Redis store's log messages.</summary>
internal static partial class RedisStoreLog
{
    [LoggerMessage(EventId = 4200, Level = LogLevel.Information,
        Message = "Redis message store connected to {Endpoints} with key prefix '{KeyPrefix}' (connected now: {Connected})")]
    public static partial void Opened(ILogger logger, string endpoints, string keyPrefix, bool connected);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Information,
        Message = "Redis message store closed after {Commits} commits of {Batches} batches")]
    public static partial void Closed(ILogger logger, long commits, long batches);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Error,
        Message = "Redis group commit of {BatchCount} batches ({OperationCount} operations) failed; its callers get StoreUnavailable")]
    public static partial void CommitFailed(ILogger logger, Exception exception, int batchCount, int operationCount);

    [LoggerMessage(EventId = 4203, Level = LogLevel.Warning,
        Message = "Redis is not configured for durable commits (appendonly={AppendOnly}, appendfsync={AppendFsync}); start it with --appendonly yes --appendfsync always")]
    public static partial void NotDurable(ILogger logger, string appendOnly, string appendFsync);

    [LoggerMessage(EventId = 4204, Level = LogLevel.Warning,
        Message = "Could not read the Redis persistence settings (CONFIG GET); durability is not checked")]
    public static partial void DurabilityUnchecked(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4205, Level = LogLevel.Warning, Message = "Redis connection to {Endpoint} failed ({FailureType})")]
    public static partial void ConnectionFailed(ILogger logger, Exception? exception, string endpoint, string failureType);

    [LoggerMessage(EventId = 4206, Level = LogLevel.Information, Message = "Redis connection to {Endpoint} restored")]
    public static partial void ConnectionRestored(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 4207, Level = LogLevel.Critical,
        Message = "The Redis message store writer stopped unexpectedly; every pending and later write fails")]
    public static partial void WriterCrashed(ILogger logger, Exception exception);
}
