using Loire.Client;

namespace Loire.Entities;

/// <summary>Builds and validates entity paths: <c>orders</c>, <c>billing/invoices</c>, <c>events/subscriptions/audit</c>.</summary>
public static class EntityPath
{
    /// <summary>Longest queue or topic path.</summary>
    public const int MaxPathLength = 260;

    /// <summary>Longest subscription or rule name.</summary>
    public const int MaxNameLength = 50;

    /// <summary>The path segment that separates a topic from its subscription names.</summary>
    public const string SubscriptionsSegment = "subscriptions";

    /// <summary>The suffix that addresses an entity's dead-letter sub-queue.</summary>
    public const string DeadLetterQueueSuffix = "/$deadletterqueue";

    /// <summary>Path of a subscription of a topic.</summary>
    public static string Subscription(string topicPath, string subscriptionName) =>
        $"{topicPath}/{SubscriptionsSegment}/{subscriptionName}";

    /// <summary>Path of an entity's dead-letter sub-queue.</summary>
    public static string DeadLetter(string entityPath) => entityPath + DeadLetterQueueSuffix;

    /// <summary>Throws <see cref="LoireErrorReason.InvalidArgument"/> unless <paramref name="path"/> is a valid queue or topic path.</summary>
    public static void ValidateQueueOrTopic(string? path)
    {
        var error = GetQueueOrTopicError(path);
        if (error is not null)
        {
            throw new LoireException(LoireErrorReason.InvalidArgument, error, path);
        }
    }

    /// <summary>Throws <see cref="LoireErrorReason.InvalidArgument"/> unless <paramref name="name"/> is a valid subscription or rule name.</summary>
    public static void ValidateName(string? name, string what)
    {
        var error = GetNameError(name, what);
        if (error is not null)
        {
            throw new LoireException(LoireErrorReason.InvalidArgument, error, name);
        }
    }

    /// <summary>Why <paramref name="path"/> is not a valid queue or topic path, or null when it is.</summary>
    public static string? GetQueueOrTopicError(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return "An entity path must not be empty.";
        }

        if (path.Length > MaxPathLength)
        {
            return $"An entity path must be at most {MaxPathLength} characters; '{Shorten(path)}' has {path.Length}.";
        }

        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0)
            {
                return $"Entity path '{path}' has an empty segment; paths must not start or end with '/' or contain '//'.";
            }

            if (segment.Equals(SubscriptionsSegment, StringComparison.OrdinalIgnoreCase) || segment.StartsWith('$'))
            {
                return $"Entity path '{path}' uses the reserved segment '{segment}'.";
            }

            var error = GetSegmentError(segment, path);
            if (error is not null)
            {
                return error;
            }
        }

        return null;
    }

    /// <summary>Splits <c>topic/subscriptions/name</c> at its last subscriptions segment; null when it has none.</summary>
    public static (string Topic, string Name)? SplitSubscription(string path)
    {
        var marker = "/" + SubscriptionsSegment + "/";
        var at = path.LastIndexOf(marker, StringComparison.Ordinal);
        return at <= 0 ? null : (path[..at], path[(at + marker.Length)..]);
    }

    /// <summary>Why <paramref name="path"/> is not a valid <c>topic/subscriptions/name</c> path, or null when it is.</summary>
    public static string? GetSubscriptionPathError(string? path)
    {
        if (path is null || SplitSubscription(path) is not var (topic, name))
        {
            return $"'{path}' is not a subscription path ('topic/{SubscriptionsSegment}/name').";
        }

        return GetQueueOrTopicError(topic) ?? GetNameError(name, "subscription");
    }

    /// <summary>Why <paramref name="name"/> is not a valid subscription or rule name, or null when it is.</summary>
    public static string? GetNameError(string? name, string what)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return $"A {what} name must not be empty.";
        }

        if (name.Length > MaxNameLength)
        {
            return $"A {what} name must be at most {MaxNameLength} characters; '{Shorten(name)}' has {name.Length}.";
        }

        if (name.Contains('/'))
        {
            return $"A {what} name must not contain '/': '{name}'.";
        }

        if (name == RuleDescription.DefaultRuleName)
        {
            return null;
        }

        return GetSegmentError(name, name) is { } error ? $"Invalid {what} name: {error}" : null;
    }

    private static string? GetSegmentError(string segment, string whole)
    {
        if (!char.IsAsciiLetterOrDigit(segment[0]) || !char.IsAsciiLetterOrDigit(segment[^1]))
        {
            return $"'{whole}' is invalid: each name must start and end with a letter or digit.";
        }

        foreach (var c in segment)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '-' or '_'))
            {
                return $"'{Shorten(whole)}' contains '{c}'; only letters, digits, '.', '-', '_' (and '/' between path segments) are allowed.";
            }
        }

        return null;
    }

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "...";
}
