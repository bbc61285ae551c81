namespace Loire.Messages;

/// <summary>A message as a receiver or peeker gets it: the stored message plus its delivery state.</summary>
[GenerateSerializer, Immutable, Alias("loire.DeliveredMessage")]
public sealed record DeliveredMessage(
    [property: Id(0)] StoredMessage Stored,
    [property: Id(1)] int DeliveryCount,
    [property: Id(2)] Guid LockToken,
    [property: Id(3)] DateTimeOffset LockedUntil,
    [property: Id(4)] MessageState State,
    [property: Id(5)] string? DeadLetterReason,
    [property: Id(6)] string? DeadLetterErrorDescription,
    [property: Id(7)] string? DeadLetterSource);
