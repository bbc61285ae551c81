using Loire.Client.Delivery;
using Loire.Client.Diagnostics;

namespace Loire.Client.Processing;

/// <summary>
/// Push delivery (<see cref="LoireDeliveryMode.Push"/>): the run opens delivery links on the entity's partitions with
/// its capacity as their credit (see <see cref="DeliveryLinkSet"/>) instead of polling; a message's credit goes back
/// when it is settled or given back.
/// </summary>
internal sealed partial class ProcessorRun : IDeliveryLinkConsumer
{
    /// <summary>Push mode: the run's links; null while polling.</summary>
    private volatile DeliveryLinkSet? _links;

    /// <summary>True once the run chose push delivery.</summary>
    public bool IsPushing => _links is not null;

    /// <summary>Pushes for peek-lock runs with a credit per partition, when asked to; polls otherwise.</summary>
    private async Task DeliveryLoopAsync()
    {
        if (PeekLock && _options.DeliveryMode == LoireDeliveryMode.Push)
        {
            // The receive loop reports what is wrong when the entity cannot be pushed from.
            _links = await DeliveryLinkSet.CreateAsync(_client, _receiver, Capacity, this, _logger, _stopping.Token).ConfigureAwait(false);
        }

        if (_links is { } links)
        {
            await links.RunAsync(_stopping.Token).ConfigureAwait(false);
        }
        else
        {
            await ReceiveLoopAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Gives back the credit a message held: to the receive loop's semaphore, or (push) to its partition's quota.</summary>
    private void ReleaseCredit(LoireReceivedMessage message)
    {
        if (_links is { } links)
        {
            links.Release(message);
        }
        else
        {
            _credits.Release();
        }
    }

    bool IDeliveryLinkConsumer.TryAccept(DeliveryLinkSet links, List<LoireReceivedMessage> messages)
    {
        LoireTelemetry.RecordReceive(_entityPath, messages, LoireTelemetry.ReceiveStartTime());
        List<LoireReceivedMessage>? tooLate = null;
        foreach (var message in messages)
        {
            // Unbounded, but never holds more than the run's credits; completed once the delivery loop ended.
            if (!_ready.Writer.TryWrite(message))
            {
                (tooLate ??= []).Add(message);
            }
        }

        if (tooLate is not null)
        {
            _ = AbandonOnStopAsync(tooLate);
        }

        return true;
    }

    Task<bool> IDeliveryLinkConsumer.RecoverAsync(Exception exception, int failures, CancellationToken stopping) =>
        RecoverFromReceiveFailureAsync(exception, failures, stopping);
}
