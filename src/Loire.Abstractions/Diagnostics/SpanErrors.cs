using System.Diagnostics;
using Loire.Client;

namespace Loire.Diagnostics;

/// <summary>How the client's and the broker's spans record a failure, one way for both.</summary>
internal static class SpanErrors
{
    /// <summary>Marks <paramref name="activity"/> failed, typed by the broker's error reason; never throws.</summary>
    public static void Record(Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag("error.type", exception is LoireException loire ? loire.Reason.ToString() : exception.GetType().Name);
        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
    }
}
