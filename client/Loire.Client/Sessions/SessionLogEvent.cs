namespace Loire.Client.Sessions;

/// <summary>
/// Event ids of what <see cref="LoireSessionReceiver"/> logs; stable, so log queries can rely on them. They continue
/// the numbering of <see cref="Diagnostics.LoireClientLogEvent"/> in their own range.
/// </summary>
internal enum SessionLogEvent
{
    ReleaseOnCloseFailed = 1401,
    PrefetchedLockExpired = 1402,
}
