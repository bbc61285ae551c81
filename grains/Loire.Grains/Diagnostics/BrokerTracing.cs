using System.Diagnostics;
using Loire.Diagnostics;
using Loire.Grains.Queues;
using Loire.Messages;
using Loire.Partitions;

namespace Loire.Grains.Diagnostics;

/// <summary>
/// The broker's spans: the store commit of a send, the delivery to a receiver and the settlement of what it received,
/// each one span per batch, a child of the messages' trace context when they share one and linked to each context
/// otherwise. With nobody listening to source <see cref="LoireInstruments.SourceName"/> nothing is read or allocated;
/// nothing here throws.
/// </summary>
internal static class BrokerTracing
{
    public const string CommitActivityName = "Loire.Commit";

    public const string DeliverActivityName = "Loire.Deliver";

    public const string SettleActivityName = "Loire.Settle";

    /// <summary>Starts the span of a batch's store commit; null when nobody listens.</summary>
    public static Activity? StartCommit(string path, OutgoingMessage[] messages)
    {
        if (!LoireInstruments.ActivitySource.HasListeners())
        {
            return null;
        }

        try
        {
            var links = new MessageTraceLinks();
            foreach (var message in messages)
            {
                links.Add(message.ApplicationProperties);
            }

            return Start(CommitActivityName, "commit", "send", path, links, messages.Length, messages.Length == 1 ? messages[0].MessageId : null);
        }
        catch (Exception)
        {
            // Tracing must never fail a send.
            return null;
        }
    }

    /// <summary>Starts the span of handing <paramref name="entries"/> to a receiver; null when nobody listens.</summary>
    public static Activity? StartDelivery(string path, List<MessageEntry> entries)
    {
        if (!LoireInstruments.ActivitySource.HasListeners())
        {
            return null;
        }

        try
        {
            var links = new MessageTraceLinks();
            foreach (var entry in entries)
            {
                links.Add(entry.Stored.Message.ApplicationProperties);
            }

            var activity = Start(DeliverActivityName, "deliver", "receive", path, links, entries.Count, entries.Count == 1 ? entries[0].Stored.Message.MessageId : null);
            if (activity is not null && entries.Count == 1)
            {
                activity.SetTag("messaging.loire.message.sequence_number", entries[0].SequenceNumber);
                activity.SetTag("messaging.loire.message.delivery_count", entries[0].DeliveryCount);
            }

            return activity;
        }
        catch (Exception)
        {
            return null;
        }
    }

    /// <summary>
    /// Starts the span of settling <paramref name="accepted"/> (one store commit); null when nobody listens. Its
    /// operation is the settlement's (complete, abandon, dead_letter, defer), or settle for a mix.
    /// </summary>
    public static Activity? StartSettlement(string path, List<(MessageEntry Entry, Settlement Settlement)> accepted)
    {
        if (!LoireInstruments.ActivitySource.HasListeners())
        {
            return null;
        }

        try
        {
            var links = new MessageTraceLinks();
            var kind = accepted[0].Settlement.Kind;
            var mixed = false;
            foreach (var (entry, settlement) in accepted)
            {
                links.Add(entry.Stored.Message.ApplicationProperties);
                mixed |= settlement.Kind != kind;
            }

            var operation = mixed ? "settle" : kind switch
            {
                SettlementKind.Complete => "complete",
                SettlementKind.Abandon => "abandon",
                SettlementKind.DeadLetter => "dead_letter",
                SettlementKind.Defer => "defer",
                _ => "settle",
            };
            var activity = Start(SettleActivityName, operation, "settle", path, links, accepted.Count,
                accepted.Count == 1 ? accepted[0].Entry.Stored.Message.MessageId : null);
            if (activity is not null && accepted.Count == 1)
            {
                activity.SetTag("messaging.loire.message.sequence_number", accepted[0].Entry.SequenceNumber);
                activity.SetTag("messaging.loire.message.delivery_count", accepted[0].Entry.DeliveryCount);
            }

            return activity;
        }
        catch (Exception)
        {
            return null;
        }
    }

    /// <summary>Marks a broker span failed; never throws.</summary>
    public static void RecordError(Activity? activity, Exception exception) => SpanErrors.Record(activity, exception);

    private static Activity? Start(string name, string operation, string operationType, string path, MessageTraceLinks links, int count, string? messageId)
    {
        var activity = LoireInstruments.ActivitySource.StartActivity(name, ActivityKind.Internal, links.Parent, links: links.Links);
        if (activity is null)
        {
            return null;
        }

        activity.SetTag("messaging.system", "loire");
        activity.SetTag("messaging.operation.name", operation);
        activity.SetTag("messaging.operation.type", operationType);
        // Partitions of an entity are one destination, as in the metrics.
        activity.SetTag("messaging.destination.name", EntityPartitions.Parse(path).EntityPath);
        if (count == 1)
        {
            activity.SetTag("messaging.message.id", messageId);
        }
        else
        {
            activity.SetTag("messaging.batch.message_count", count);
        }

        return activity;
    }
}
