using Loire.Client;
using Loire.Messages;
using Orleans.Concurrency;

namespace Loire.Grains;

/// <summary>
/// The client end of push delivery links (<see cref="IQueueGrain.OpenLinkAsync"/>). Both calls are one-way: the entity
/// never waits for a client, and a client that is gone loses nothing the entity cannot recover (the locks of what it
/// was pushed run out and the messages are delivered again).
/// </summary>
[Alias("loire.IDeliveryObserver")]
public interface IDeliveryObserver : IGrainObserver
{
    /// <summary>Messages locked for the link; <paramref name="firstDelivery"/> is the link's count of messages pushed before them.</summary>
    [OneWay]
    [Alias("Deliver")]
    Task OnMessagesAsync(Guid linkId, long firstDelivery, DeliveredMessage[] messages);

    /// <summary>
    /// The entity closed the link (it is moving, was deleted, or the link was not renewed in time) after pushing
    /// <paramref name="delivered"/> messages through it; those not yet seen are still on their way.
    /// </summary>
    [OneWay]
    [Alias("Closed")]
    Task OnLinkClosedAsync(Guid linkId, long delivered, LoireErrorReason reason, string message);
}
