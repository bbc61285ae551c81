namespace Loire.Messages;

/// <summary>A receive: how many, how long to wait for the first, how, and from which sub-queue.</summary>
[GenerateSerializer, Immutable, Alias("loire.ReceiveRequest")]
public sealed record ReceiveRequest(
    [property: Id(0)] int MaxMessages,
    [property: Id(1)] TimeSpan MaxWaitTime,
    [property: Id(2)] ReceiveModeKind Mode = ReceiveModeKind.PeekLock,
    [property: Id(3)] SubQueueKind SubQueue = SubQueueKind.None);
