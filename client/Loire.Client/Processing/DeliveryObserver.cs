using Loire.Client;
using Loire.Grains;
using Loire.Messages;

namespace Loire.Client.Processing;

/// <summary>The object behind a processor run's observer reference: hands what the broker pushes to the run.</summary>
internal sealed class DeliveryObserver(ProcessorRun run) : IDeliveryObserver
{
    public Task OnMessagesAsync(Guid linkId, long firstDelivery, DeliveredMessage[] messages)
    {
        run.OnPushed(linkId, messages);
        return Task.CompletedTask;
    }

    public Task OnLinkClosedAsync(Guid linkId, long delivered, LoireErrorReason reason, string message)
    {
        run.OnLinkClosed(linkId, delivered, reason, message);
        return Task.CompletedTask;
    }
}
