namespace Loire.Messages;

/// <summary>A message as the broker accepted it: the sender's message plus broker-assigned, immutable facts.</summary>
[GenerateSerializer, Immutable, Alias("loire.StoredMessage")]
public sealed record StoredMessage(
    [property: Id(0)] OutgoingMessage Message,
    [property: Id(1)] long SequenceNumber,
    [property: Id(2)] DateTimeOffset EnqueuedTime,
    [property: Id(3)] DateTimeOffset ExpiresAt)
{
    /// <summary>Size accounted against the entity quota.</summary>
    public long Size => Message.EstimateSize();
}
