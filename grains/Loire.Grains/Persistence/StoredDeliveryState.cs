using Loire.Messages;

namespace Loire.Grains.Persistence;

/// <summary>The mutable part of a stored message; absent (empty) for a fresh active message.</summary>
[GenerateSerializer, Immutable, Alias("loire.StoredDeliveryState")]
internal sealed record StoredDeliveryState(
    [property: Id(0)] MessageState State,
    [property: Id(1)] SubQueueKind SubQueue,
    [property: Id(2)] int DeliveryCount,
    [property: Id(3)] string? DeadLetterReason,
    [property: Id(4)] string? DeadLetterErrorDescription,
    [property: Id(5)] string? DeadLetterSource);
