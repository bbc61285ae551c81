namespace Loire.Client.Diagnostics;

/// <summary>Event ids of everything the client logs; stable, so log queries can rely on them.</summary>
internal enum LoireClientLogEvent
{
    Connecting = 1001,
    Connected = 1002,
    ConnectFailed = 1003,
    GatewayUnresolved = 1004,
    Disconnecting = 1005,
    DisconnectFailed = 1006,
    OperationRetry = 1101,
    PrefetchedLockExpired = 1201,
    AbandonOnCloseFailed = 1202,
    LinkOpened = 1401,
    LinkClosed = 1402,
    LinkLost = 1403,
    LinkCloseFailed = 1404,
    LinkAbandonFailed = 1405,
    PushStopped = 1406,
}
