using Loire.Silo.Configuration;
using Loire.Storage;

namespace Loire.Silo.Hosting;

/// <summary>Log messages of the silo host (category <c>Loire.Silo</c>).</summary>
public static partial class SiloLog
{
    public const string Category = "Loire.Silo";

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Starting silo: cluster {Cluster} (cluster id {ClusterId}, service id {ServiceId}), silo port {SiloPort}, gateway port {GatewayPort}, store {Store}")]
    public static partial void LogStarting(ILogger logger, ClusterMode cluster, string clusterId, string serviceId, int siloPort, int gatewayPort, string store);

    [LoggerMessage(EventId = 2, Level = LogLevel.Critical, Message = "The silo failed to start")]
    public static partial void LogStartFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Shutting down: deactivating grains and flushing the store")]
    public static partial void LogStopping(ILogger logger);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Silo stopped")]
    public static partial void LogStopped(ILogger logger);

    [LoggerMessage(EventId = 5, Level = LogLevel.Critical, Message = "Cannot start: {Flag} {Port} is already in use by another process")]
    public static partial void LogPortInUse(ILogger logger, string flag, int port);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Orleans grain state (the auto-delete index) in {GrainStorage}")]
    public static partial void LogGrainStorage(ILogger logger, string grainStorage);

    [LoggerMessage(EventId = 7, Level = LogLevel.Critical, Message = "Cannot start: Orleans grain state cannot be kept in {GrainStorage}: {Problem}")]
    public static partial void LogGrainStorageUnavailable(ILogger logger, string grainStorage, string problem);
}
