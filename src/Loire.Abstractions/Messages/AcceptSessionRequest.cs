namespace Loire.Messages;

/// <summary>
/// Accepts a session: a named one (<see cref="SessionId"/> set; granted at once or refused with
/// SessionCannotBeLocked), or the next unlocked session with available messages (<see cref="SessionId"/> null),
/// waiting up to <see cref="MaxWaitTime"/> for one.
/// </summary>
[GenerateSerializer, Immutable, Alias("loire.AcceptSessionRequest")]
public sealed record AcceptSessionRequest(
    [property: Id(0)] string? SessionId,
    [property: Id(1)] TimeSpan MaxWaitTime);
