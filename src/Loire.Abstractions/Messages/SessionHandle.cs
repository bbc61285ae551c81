namespace Loire.Messages;

/// <summary>
/// Proof of holding a session lock: the session and the token its acceptance returned. Every session operation
/// presents it; SessionLockLost when the lock expired, was released, or belongs to someone else.
/// </summary>
[GenerateSerializer, Immutable, Alias("loire.SessionHandle")]
public sealed record SessionHandle(
    [property: Id(0)] string SessionId,
    [property: Id(1)] Guid LockToken);
