using System.Diagnostics;
using Loire.Diagnostics;
using Loire.Grains.Queues;
using Loire.Messages;
using Loire.Partitions;

namespace Loire.Grains.Diagnostics;

/// <summary>
/// The broker's spans: the store commit of a send, a topic's routing, forwarding, the promotion of scheduled messages,
/// the delivery to a receiver and the settlement of what it received, each one span per batch, a child of the messages' trace context when they share one and linked to each context
/// otherwise. With nobody listening to source <see cref="LoireInstruments.SourceName"/> nothing is read or allocated;
/// nothing here throws.
/// </summary>
internal static class BrokerTracing
{
    public const string CommitActivityName = "Loire.Commit";

    public const string DeliverActivityName = "Loire.Deliver";

    public const string SettleActivityName = "Loire.Settle";

    public const string RouteActivityName = "Loire.Route";

    public const string ForwardActivityName = "Loire.Forward";

    public const string PromoteActivityName = "Loire.Promote";

    /// <summary>Starts the span of a batch's store commit; null when nobody listens.</summary>
    public static Activity? StartCommit(string path, OutgoingMessage[] messages) => StartOutgoing(CommitActivityName, "commit", path, messages);

    /// <summary>Starts the span of a topic matching a batch against its subscriptions' rules and delivering it to them.</summary>
    public static Activity? StartRoute(string path, OutgoingMessage[] messages) => StartOutgoing(RouteActivityName, "route", path, messages);

    /// <summary>Starts the span of forwarding a batch to <paramref name="target"/> (ForwardTo, or forwarded dead letters).</summary>
    public static Activity? StartForward(string path, string target, OutgoingMessage[] messages)
    {
        var activity = StartOutgoing(ForwardActivityName, "forward", path, messages);
        activity?.SetTag("messaging.loire.forward_to", target);
        return activity;
    }

    /// <summary>Starts the span of handing <paramref name="entries"/> to a receiver; null when nobody listens.</summary>
    public static Activity? StartDelivery(string path, List<MessageEntry> entries) =>
        HasListeners() ? StartEntries(DeliverActivityName, "deliver", "receive", path, entries) : null;

    /// <summary>Starts the span of scheduled messages whose time came becoming active; null when nobody listens.</summary>
    public static Activity? StartPromotion(string path, List<MessageEntry> entries) =>
        HasListeners() ? StartEntries(PromoteActivityName, "promote", "process", path, entries) : null;

    /// <summary>
    /// Starts the span of settling <paramref name="accepted"/> (one store commit); null when nobody listens. Its
    /// operation is the settlement's (complete, abandon, dead_letter, defer), or settle for a mix.
    /// </summary>
    public static Activity? StartSettlement(string path, List<(MessageEntry Entry, Settlement Settlement)> accepted)
    {
        if (!HasListeners())
        {
            return null;
        }

        var kind = accepted[0].Settlement.Kind;
        var mixed = accepted.Exists(a => a.Settlement.Kind != kind);
        var operation = mixed ? "settle" : kind switch
        {
            SettlementKind.Complete => "complete",
            SettlementKind.Abandon => "abandon",
            SettlementKind.DeadLetter => "dead_letter",
            SettlementKind.Defer => "defer",
            _ => "settle",
        };
        return StartEntries(SettleActivityName, operation, "settle", path, accepted.ConvertAll(a => a.Entry));
    }

    private static bool HasListeners() => LoireInstruments.ActivitySource.HasListeners();

    private static Activity? StartOutgoing(string name, string operation, string path, OutgoingMessage[] messages)
    {
        if (!HasListeners())
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

            return Start(name, operation, "send", path, links, messages.Length, messages.Length == 1 ? messages[0].MessageId : null);
        }
        catch (Exception)
        {
            // Tracing must never fail a send.
            return null;
        }
    }

    private static Activity? StartEntries(string name, string operation, string operationType, string path, List<MessageEntry> entries)
    {
        try
        {
            var links = new MessageTraceLinks();
            foreach (var entry in entries)
            {
                links.Add(entry.Stored.Message.ApplicationProperties);
            }

            var activity = Start(name, operation, operationType, path, links, entries.Count, entries.Count == 1 ? entries[0].Stored.Message.MessageId : null);
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
