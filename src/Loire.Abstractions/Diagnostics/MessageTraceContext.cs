using System.Diagnostics;

namespace Loire.Diagnostics;

/// <summary>
/// The W3C trace context a message carries in its application properties (<c>traceparent</c>, <c>tracestate</c>),
/// as Service Bus carries <c>Diagnostic-Id</c>: written by the sender, read by the broker and the receivers.
/// </summary>
internal static class MessageTraceContext
{
    public const string TraceParentProperty = "traceparent";

    public const string TraceStateProperty = "tracestate";

    /// <summary>The context of a message's properties; false when it has none or it is not a valid traceparent.</summary>
    public static bool TryGet(IReadOnlyDictionary<string, object>? properties, out ActivityContext context)
    {
        context = default;
        if (properties is null || !properties.TryGetValue(TraceParentProperty, out var traceParent))
        {
            return false;
        }

        properties.TryGetValue(TraceStateProperty, out var traceState);
        return TryParse(traceParent, traceState, out context);
    }

    /// <summary>Parses property values set by anyone: a value that is not a string, or not W3C, gives false, never an exception.</summary>
    public static bool TryParse(object? traceParent, object? traceState, out ActivityContext context)
    {
        context = default;
        return traceParent is string text
            && ActivityContext.TryParse(text, traceState as string, isRemote: true, out context)
            && context.TraceId != default;
    }
}
