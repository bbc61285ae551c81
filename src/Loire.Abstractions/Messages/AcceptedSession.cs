namespace Loire.Messages;

/// <summary>A session lock the broker granted: which session, its lock token, and until when it holds unless renewed.</summary>
[GenerateSerializer, Immutable, Alias("loire.AcceptedSession")]
public sealed record AcceptedSession(
    [property: Id(0)] string SessionId,
    [property: Id(1)] Guid LockToken,
    [property: Id(2)] DateTimeOffset LockedUntil)
{
    /// <summary>The handle that later session operations present.</summary>
    public SessionHandle Handle => new(SessionId, LockToken);
}
