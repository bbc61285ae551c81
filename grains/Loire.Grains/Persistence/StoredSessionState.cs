namespace Loire.Grains.Persistence;

/// <summary>
/// The durable state of one session, stored as a record of the pseudo-entity <c>{path}/$sessions</c> under a
/// number the grain assigned to the session (stable while the session has state).
/// </summary>
[GenerateSerializer, Immutable, Alias("loire.StoredSessionState")]
internal sealed record StoredSessionState(
    [property: Id(0)] string SessionId,
    [property: Id(1)] byte[] State);
