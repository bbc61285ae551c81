namespace Loire.Client.Processing;

/// <summary>
/// Event ids of what <see cref="LoireProcessor"/> logs; stable, so log queries can rely on them. They continue the
/// numbering of <see cref="Diagnostics.LoireClientLogEvent"/> in their own range.
/// </summary>
internal enum ProcessorLogEvent
{
    Started = 1301,
    Stopping = 1302,
    Stopped = 1303,
    ReceiveFailed = 1304,
    ReceiverClosed = 1305,
    HandlerFailed = 1306,
    HandlerCancelled = 1307,
    ErrorHandlerFailed = 1308,
    LockRenewalFailed = 1309,
    SettleFailed = 1310,
    LockExpiringBeforeStart = 1311,
    AbandonOnStopFailed = 1312,
    StopCallbackFailed = 1313,
    WorkerFailed = 1314,
}
