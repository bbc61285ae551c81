using Loire.Entities;
using Loire.Partitions;

namespace Loire.Grains.Security;

/// <summary>Which entity a call addresses, for authorisation: its path, and the queue or topic whose rules apply.</summary>
public static class AccessTarget
{
    private const string SubscriptionsInfix = "/" + EntityPath.SubscriptionsSegment + "/";

    /// <summary>The entity a grain path or entity path names: without partition suffix or dead-letter sub-queue.</summary>
    public static string EntityOf(string path)
    {
        if (path.EndsWith(EntityPath.DeadLetterQueueSuffix, StringComparison.Ordinal))
        {
            path = path[..^EntityPath.DeadLetterQueueSuffix.Length];
        }

        return EntityPartitions.Parse(path).EntityPath;
    }

    /// <summary>The queue or topic whose rules govern <paramref name="entityPath"/>: a subscription's topic, else itself.</summary>
    public static string RuleOwnerOf(string entityPath)
    {
        var at = entityPath.IndexOf(SubscriptionsInfix, StringComparison.Ordinal);
        return at > 0 ? entityPath[..at] : entityPath;
    }
}
