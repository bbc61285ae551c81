using Loire.Client;
using Loire.Grains.Diagnostics;
using Loire.Grains.Messaging;
using Loire.Grains.Persistence;
using Loire.Messages;
using Loire.Storage;
using Microsoft.Extensions.Logging;

namespace Loire.Grains.Topics;

/// <summary>
/// Atomic fan-out: a publish is stored for every matching subscription or for none, in one store batch.
/// <list type="number">
/// <item>Admit: every matching subscription checks its quota and reserves the space (concurrently; a refusal ends
/// the others' reservations and the publish fails with nothing stored).</item>
/// <item>Forward: subscriptions with ForwardTo store nothing here; they get an ordinary delivery once every storing
/// subscription admitted (their target's copy is its own write: if the batch then fails, a retry may forward again,
/// which the target's duplicate detection catches).</item>
/// <item>Commit: one batch with the message records and depth record of every storing subscription and the topic's
/// duplicate-detection records; it joins the store's group commit like any other batch, and publishes pipeline.</item>
/// <item>End: each subscription indexes its copies (early-delivering ones were offered them once the batch was
/// queued), or releases the reservation. A subscription that misses its end finds the messages in the store
/// (see QueueGrain.Deliveries).</item>
/// </list>
/// Subscriptions keep the topic's sequence numbers (so they raise no ceiling of their own; the topic raises its own
/// before it hands out numbers above it), scheduled messages are admitted as scheduled, sessions and partitions are as
/// before: topic partition i writes the copies of subscription partition i, one batch per publish and partition.
/// </summary>
internal sealed partial class TopicGrain
{
    /// <summary>Delivers the matched messages to their subscriptions; durable in all of them when it returns.</summary>
    /// <param name="plan">The duplicate-detection plan of the publish, whose history records join the batch; null without detection.</param>
    private async Task FanOutAsync(List<Delivery> deliveries, OutgoingMessage[] messages, long[] sequenceNumbers, DuplicatePlan? plan, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid();
        await AdmitAllAsync(id, deliveries, cancellationToken);
        try
        {
            await Task.WhenAll(deliveries.Where(d => d.Admission?.Mode == DeliveryMode.Forward).Select(d => ForwardAsync(d, cancellationToken)));
        }
        catch
        {
            await EndAllAsync(id, deliveries, DeliveryOutcome.NotStored);
            throw;
        }

        var payloads = new RentedPayloads();
        var batch = BuildBatch(deliveries, sequenceNumbers, plan, payloads);
        using var activity = batch.IsEmpty ? null : BrokerTracing.StartCommit(Path, messages);
        var commit = CommitCopiesAsync(batch, payloads, cancellationToken);
        if (!commit.IsCompleted)
        {
            // Queued: the store applies later batches after it, so early-delivering subscriptions may show the copies now.
            await Task.WhenAll(deliveries.Where(d => d.Admission?.Mode == DeliveryMode.StoreEarly).Select(d => OfferAsync(id, d)));
        }

        try
        {
            await commit;
        }
        catch (Exception exception)
        {
            BrokerTracing.RecordError(activity, exception);
            await EndAllAsync(id, deliveries, OutcomeOf(exception));
            if (exception is StaleEpochException stale)
            {
                throw await SubscriptionSupersededAsync(deliveries, stale);
            }

            throw;
        }

        await EndAllAsync(id, deliveries, DeliveryOutcome.Stored);
    }

    /// <summary>
    /// A fence refused the batch, it was dropped before the store took it, or the topic refused it itself: nothing
    /// was written. A store failure (a timeout after the batch was sent, a lost connection) leaves it open.
    /// </summary>
    private static DeliveryOutcome OutcomeOf(Exception exception) => exception switch
    {
        StaleEpochException or OperationCanceledException => DeliveryOutcome.NotStored,
        LoireException { Reason: not LoireErrorReason.StoreUnavailable } => DeliveryOutcome.NotStored,
        _ => DeliveryOutcome.Unknown,
    };

    /// <summary>
    /// A subscription's epoch was stale (the topic's own would have superseded the topic): tells the activation that
    /// admitted to step aside, so the publish's retry is admitted by the one in charge, and returns the retriable error.
    /// </summary>
    private async Task<LoireException> SubscriptionSupersededAsync(List<Delivery> deliveries, StaleEpochException stale)
    {
        var path = stale.Fence.EntityPath;
        LogSubscriptionSuperseded(Path, path, stale.Fence.Epoch, stale.CurrentEpoch);
        if (deliveries.FirstOrDefault(d => d.Route.Grain.GetPrimaryKeyString() == path) is { } delivery)
        {
            try
            {
                await delivery.Route.Grain.DeliveryFencedAsync(stale.Fence.Epoch, CancellationToken.None);
            }
            catch (Exception exception)
            {
                // It learns with its own next write; until then retries may be refused again.
                LogEndFailed(path, exception);
            }
        }

        return new LoireException(LoireErrorReason.ServiceBusy,
            $"Subscription '{path}' is served by another activation now; nothing was stored, retry the publish.", path);
    }

    /// <summary>Admits the delivery in every subscription; on any refusal ends the admitted ones and throws the first refusal.</summary>
    private async Task AdmitAllAsync(Guid id, List<Delivery> deliveries, CancellationToken cancellationToken)
    {
        var admissions = deliveries.Select(d => AdmitAsync(id, d, cancellationToken)).ToArray();
        try
        {
            await Task.WhenAll(admissions);
        }
        catch
        {
            await EndAllAsync(id, deliveries, DeliveryOutcome.NotStored);

            // The first refusal in route order, with its own stack trace.
            await admissions.First(a => !a.IsCompletedSuccessfully);
            throw;
        }
    }

    private Task AdmitAsync(Guid id, Delivery delivery, CancellationToken cancellationToken) => UnlessDeletedAsync(delivery, async () =>
        delivery.Admission = await delivery.Route.Grain.AdmitDeliveryAsync(id, Fence.Epoch, delivery.Messages, delivery.SequenceNumbers, cancellationToken));

    private Task ForwardAsync(Delivery delivery, CancellationToken cancellationToken) => UnlessDeletedAsync(delivery, () =>
        delivery.Route.Grain.DeliverAsync(delivery.Messages, delivery.SequenceNumbers, cancellationToken).AsTask());

    private async Task UnlessDeletedAsync(Delivery delivery, Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (LoireException exception) when (exception.Reason == LoireErrorReason.MessagingEntityNotFound)
        {
            // The subscription was deleted behind the topic's back; stop routing to it.
            RemoveRoute(delivery.Route.Description.Path);
        }
    }

    /// <summary>
    /// Fenced by the topic's epoch, which also guards the sequence numbers, and by the epoch of every subscription that
    /// admitted: a superseded subscription activation must not get copies the one in charge would never index. Returns
    /// <paramref name="payloads"/> once the commit has completed, whether or not the caller still awaits it.
    /// </summary>
    private async Task CommitCopiesAsync(StoreBatch batch, RentedPayloads payloads, CancellationToken cancellationToken)
    {
        using (payloads)
        {
            await Fence.CommitAsync(batch, DeactivateOnIdle, cancellationToken);
        }
    }

    private StoreBatch BuildBatch(List<Delivery> deliveries, long[] sequenceNumbers, DuplicatePlan? plan, RentedPayloads payloads)
    {
        // Room for every copy, each subscription's depth and the duplicate-detection records: the list never grows.
        var capacity = plan?.Entries.Count ?? 0;
        foreach (var delivery in deliveries)
        {
            capacity += delivery.Messages.Length + 1;
        }

        var batch = new StoreBatch(capacity);
        foreach (var delivery in deliveries)
        {
            if (delivery.Admission is not { Mode: DeliveryMode.Store or DeliveryMode.StoreEarly } admission)
            {
                continue;
            }

            var path = delivery.Route.Grain.GetPrimaryKeyString();
            if (admission.Epoch > 0)
            {
                batch.RequireEpoch(path, admission.Epoch);
            }

            for (var i = 0; i < delivery.Messages.Length; i++)
            {
                var stored = new StoredMessage(delivery.Messages[i], delivery.SequenceNumbers[i], admission.EnqueuedTime, admission.ExpiresAt[i]);
                batch.PutMessage(path, stored.SequenceNumber, codec.EncodeMessage(stored, payloads), ReadOnlyMemory<byte>.Empty);
            }

            if (EntityDepth.Decode(admission.Depth) is { } depth)
            {
                batch.PutDepth(path, depth);
            }
        }

        if (plan is not null)
        {
            AddDuplicateRecords(batch, plan, sequenceNumbers);
        }

        return batch;
    }

    private async Task OfferAsync(Guid id, Delivery delivery)
    {
        try
        {
            await delivery.Route.Grain.OfferDeliveryAsync(id, CancellationToken.None);
        }
        catch (Exception exception)
        {
            // Only early: the end (or the subscription's own lookup) indexes the copies.
            LogEndFailed(delivery.Route.Description.Path, exception);
        }
    }

    /// <summary>
    /// Ends every delivery that reserved space; a failed end is logged, since the subscription recovers on its own. A
    /// failure also goes to those whose admission never answered (timed out), so they release what they may have reserved.
    /// </summary>
    private async Task EndAllAsync(Guid id, List<Delivery> deliveries, DeliveryOutcome outcome)
    {
        var stored = outcome == DeliveryOutcome.Stored;
        await Task.WhenAll(deliveries.Where(d => stored ? d.Admission is { Mode: not DeliveryMode.Forward } : d.Admission?.Mode != DeliveryMode.Forward).Select(async delivery =>
        {
            try
            {
                await delivery.Route.Grain.EndDeliveryAsync(id, outcome, delivery.SequenceNumbers, CancellationToken.None);
            }
            catch (Exception exception)
            {
                LogEndFailed(delivery.Route.Description.Path, exception);
            }
        }));
    }

    /// <summary>The messages of one publish that one subscription matched, and how it admitted them.</summary>
    private sealed class Delivery(SubscriptionRoute route, OutgoingMessage[] messages, long[] sequenceNumbers)
    {
        public SubscriptionRoute Route { get; } = route;

        public OutgoingMessage[] Messages { get; } = messages;

        public long[] SequenceNumbers { get; } = sequenceNumbers;

        /// <summary>Null until admitted, and when the subscription turned out to be gone.</summary>
        public DeliveryAdmission? Admission { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "A fan-out of {Topic} was not stored: epoch {Epoch} of {Subscription} was superseded (current epoch {CurrentEpoch}); the publish is retried")]
    private partial void LogSubscriptionSuperseded(string topic, string subscription, long epoch, long? currentEpoch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not tell {Entity} the outcome of a delivery; it looks its messages up itself")]
    private partial void LogEndFailed(string entity, Exception exception);
}
