using Loire.Entities;

namespace Loire.Client.Internal;

/// <summary>Client-side checks that fail fast with <see cref="LoireErrorReason.InvalidArgument"/>; the broker checks again.</summary>
internal static class Validation
{
    public static void ValidateSubscriptionName(string? subscription, string? topic = null)
    {
        EntityPath.ValidateName(subscription, "subscription");
        if (subscription!.StartsWith('$'))
        {
            throw new LoireException(LoireErrorReason.InvalidArgument,
                $"A subscription name must not start with '$': '{subscription}'.", topic);
        }
    }

    public static void ValidateRuleName(string? ruleName) => EntityPath.ValidateName(ruleName, "rule");

    public static void Positive(TimeSpan value, string name, string? entityPath)
    {
        if (value <= TimeSpan.Zero)
        {
            throw Invalid($"{name} must be positive; it is {value}.", entityPath);
        }
    }

    public static void AtLeast(long value, long minimum, string name, string? entityPath)
    {
        if (value < minimum)
        {
            throw Invalid($"{name} must be at least {minimum}; it is {value}.", entityPath);
        }
    }

    public static void OptionalPath(string? path, string name, string? entityPath)
    {
        if (path is null)
        {
            return;
        }

        var error = EntityPath.GetQueueOrTopicError(path);
        if (error is not null)
        {
            throw Invalid($"{name}: {error}", entityPath);
        }
    }

    public static LoireException Invalid(string message, string? entityPath) =>
        new(LoireErrorReason.InvalidArgument, message, entityPath);
}
