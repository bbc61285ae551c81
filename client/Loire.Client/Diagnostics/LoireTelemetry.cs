using System.Diagnostics;
using System.Reflection;

namespace Loire.Client.Diagnostics;

/// <summary>The client's tracing source and the span and tag names it uses.</summary>
internal static class LoireTelemetry
{
    /// <summary>Name of the ActivitySource (and, later, the Meter): one name for all Loire telemetry.</summary>
    public const string SourceName = "Loire";

    public const string SendActivityName = "Loire.Send";

    public const string TraceParentProperty = "traceparent";
    public const string TraceStateProperty = "tracestate";

    public static readonly ActivitySource ActivitySource = new(
        SourceName,
        typeof(LoireTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion);

    /// <summary>Marks an activity as failed without ever throwing.</summary>
    public static void RecordError(Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }

        var errorType = exception is LoireException loire ? loire.Reason.ToString() : exception.GetType().Name;
        activity.SetTag("error.type", errorType);
        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
    }
}
