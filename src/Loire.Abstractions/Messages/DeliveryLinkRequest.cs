namespace Loire.Messages;

/// <summary>
/// Opens a push delivery link on a queue or subscription (peek-lock only): the entity locks messages for the link and
/// pushes them to the link's observer while the link has credit. Credit is granted as a running total
/// (<paramref name="GrantedCredit"/>, then <see cref="Grains.IQueueGrain.FlowLinkAsync"/>), so a repeated grant changes nothing.
/// </summary>
/// <param name="LinkId">Chosen by the client; a retried open of the same id is answered like the first.</param>
/// <param name="GrantedCredit">Messages the link may be pushed in all, from its opening on.</param>
/// <param name="SubQueue">The entity itself or its dead-letter queue.</param>
[GenerateSerializer, Immutable, Alias("loire.DeliveryLinkRequest")]
public sealed record DeliveryLinkRequest(
    [property: Id(0)] Guid LinkId,
    [property: Id(1)] long GrantedCredit,
    [property: Id(2)] SubQueueKind SubQueue = SubQueueKind.None);
