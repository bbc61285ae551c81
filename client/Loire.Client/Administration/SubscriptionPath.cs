using Loire.Entities;

namespace Loire.Client.Administration;

/// <summary>Splits <c>topic/subscriptions/name</c> back into its parts.</summary>
internal static class SubscriptionPath
{
    private const string Separator = "/" + EntityPath.SubscriptionsSegment + "/";

    public static (string Topic, string Subscription) Split(string path)
    {
        var index = path.LastIndexOf(Separator, StringComparison.OrdinalIgnoreCase);
        return index > 0
            ? (path[..index], path[(index + Separator.Length)..])
            : (path, string.Empty);
    }
}
