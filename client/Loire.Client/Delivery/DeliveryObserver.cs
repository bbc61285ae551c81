using Loire.Grains;
using Loire.Messages;

namespace Loire.Client.Delivery;

/// <summary>The object behind a link set's observer reference: hands what the broker pushes to the set.</summary>
internal sealed class DeliveryObserver(DeliveryLinkSet links) : IDeliveryObserver
{
    public Task OnMessagesAsync(Guid linkId, long firstDelivery, DeliveredMessage[] messages)
    {
        links.OnPushed(linkId, messages);
        return Task.CompletedTask;
    }

    public Task OnLinkClosedAsync(Guid linkId, long delivered, LoireErrorReason reason, string message)
    {
        links.OnLinkClosed(linkId, delivered, reason, message);
        return Task.CompletedTask;
    }
}
