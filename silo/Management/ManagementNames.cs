using Loire.Entities;

namespace Loire.Silo.Management;

/// <summary>
/// Entity names as they arrive in a route. A '/' inside a queue or topic path travels as <c>%2F</c>
/// (<c>/api/v1/queues/billing%2Finvoices</c>), which Kestrel leaves encoded in the path; no valid name contains a '%',
/// so turning every <c>%2F</c> back into '/' is unambiguous.
/// </summary>
public static class ManagementNames
{
    /// <summary>The decoded, validated queue or topic path.</summary>
    public static string QueueOrTopic(string raw)
    {
        var path = Decode(raw);
        return EntityPath.GetQueueOrTopicError(path) is { } error ? throw ManagementProblem.Invalid(error, path) : path;
    }

    /// <summary>The validated path of subscription <paramref name="name"/> of topic <paramref name="topicRaw"/>.</summary>
    public static string Subscription(string topicRaw, string name)
    {
        var topic = QueueOrTopic(topicRaw);
        ValidateSubscriptionName(name, topic);
        return EntityPath.Subscription(topic, name);
    }

    public static void ValidateSubscriptionName(string name, string topic)
    {
        if (EntityPath.GetNameError(name, "subscription") is { } error)
        {
            throw ManagementProblem.Invalid(error, topic);
        }

        if (name.StartsWith('$'))
        {
            throw ManagementProblem.Invalid($"A subscription name must not start with '$': '{name}'.", topic);
        }
    }

    public static string Rule(string name, string subscriptionPath) =>
        EntityPath.GetNameError(name, "rule") is { } error ? throw ManagementProblem.Invalid(error, subscriptionPath) : name;

    private static string Decode(string raw) => raw.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
}
