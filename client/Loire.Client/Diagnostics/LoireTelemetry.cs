using System.Diagnostics;
using System.Reflection;
using Loire.Diagnostics;

namespace Loire.Client.Diagnostics;

/// <summary>
/// The client's tracing source and its spans. Every span starts only when someone listens to <see cref="SourceName"/>,
/// so an unobserved client reads no properties and allocates nothing for tracing; nothing here throws.
/// </summary>
internal static class LoireTelemetry
{
    /// <summary>Name of the ActivitySource (and, later, the Meter): one name for all Loire telemetry.</summary>
    public const string SourceName = "Loire";

    public const string SendActivityName = "Loire.Send";

    public const string ReceiveActivityName = "Loire.Receive";

    public const string TraceParentProperty = MessageTraceContext.TraceParentProperty;
    public const string TraceStateProperty = MessageTraceContext.TraceStateProperty;

    public static readonly ActivitySource ActivitySource = new(
        SourceName,
        typeof(LoireTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion);

    /// <summary>
    /// Starts the producer span of one send call; null when nobody listens. Without an ambient activity, messages
    /// that all carry the same user-set <c>traceparent</c> make it that context's child, so the send joins the
    /// user's trace; any other user-set contexts become links.
    /// </summary>
    public static Activity? StartSend(string entityPath, string operation, IReadOnlyList<LoireMessage> messages)
    {
        if (!ActivitySource.HasListeners())
        {
            return null;
        }

        try
        {
            var contexts = new MessageTraceLinks();
            foreach (var message in messages)
            {
                contexts.Add(message.ApplicationProperties as IReadOnlyDictionary<string, object>);
            }

            var parent = Activity.Current is null ? contexts.Parent : default;
            var activity = ActivitySource.StartActivity(SendActivityName, ActivityKind.Producer, parent,
                links: parent == default ? contexts.AllLinks : null);
            if (activity is not null)
            {
                activity.SetTag("messaging.system", "loire");
                activity.SetTag("messaging.operation.name", operation);
                activity.SetTag("messaging.operation.type", "send");
                activity.SetTag("messaging.destination.name", entityPath);
                if (messages.Count > 1)
                {
                    activity.SetTag("messaging.batch.message_count", messages.Count);
                }
            }

            return activity;
        }
        catch (Exception)
        {
            // Tracing must never fail a send.
            return null;
        }
    }

    /// <summary>
    /// Records the consumer span of a receive that returned messages, from <paramref name="startedAt"/> to now, linked
    /// to each message's context. An empty receive records nothing, so idle polling leaves no spans.
    /// </summary>
    public static void RecordReceive(string entityPath, IReadOnlyList<LoireReceivedMessage> messages, DateTimeOffset startedAt)
    {
        if (messages.Count == 0 || !ActivitySource.HasListeners())
        {
            return;
        }

        try
        {
            var contexts = new MessageTraceLinks();
            foreach (var message in messages)
            {
                contexts.Add(message.ApplicationProperties);
            }

            using var activity = ActivitySource.StartActivity(ReceiveActivityName, ActivityKind.Consumer, parentContext: default,
                links: contexts.AllLinks, startTime: startedAt);
            if (activity is null)
            {
                return;
            }

            activity.SetTag("messaging.system", "loire");
            activity.SetTag("messaging.operation.name", "receive");
            activity.SetTag("messaging.operation.type", "receive");
            activity.SetTag("messaging.destination.name", entityPath);
            if (messages.Count == 1)
            {
                activity.SetTag("messaging.message.id", messages[0].MessageId);
            }
            else
            {
                activity.SetTag("messaging.batch.message_count", messages.Count);
            }
        }
        catch (Exception)
        {
            // Tracing must never fail a receive.
        }
    }

    /// <summary>The start time of a receive span, read only when someone listens.</summary>
    public static DateTimeOffset ReceiveStartTime() => ActivitySource.HasListeners() ? DateTimeOffset.UtcNow : default;

    /// <summary>Marks an activity as failed without ever throwing.</summary>
    public static void RecordError(Activity? activity, Exception exception) => SpanErrors.Record(activity, exception);
}
