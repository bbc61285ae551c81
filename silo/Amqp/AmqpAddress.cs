using Amqp;
using Loire.Entities;
using ErrorCode = Amqp.ErrorCode;

namespace Loire.Silo.Amqp;

/// <summary>
/// A link's address in Service Bus's forms: <c>queue</c>, <c>topic</c>, <c>topic/Subscriptions/sub</c>, each
/// optionally followed by <c>/$DeadLetterQueue</c> (case-insensitive), or any of those as the path of an
/// <c>amqp://host/…</c> URL.
/// </summary>
/// <param name="Path">The queue or topic path, or the topic's path for a subscription.</param>
/// <param name="Subscription">The subscription name, or null.</param>
/// <param name="DeadLetter">Whether the address names the dead-letter queue.</param>
internal sealed record AmqpAddress(string Path, string? Subscription, bool DeadLetter)
{
    /// <summary>The entity path as Loire writes it (a subscription: <c>topic/subscriptions/sub</c>).</summary>
    public string EntityPath => Subscription is null ? Path : Loire.Entities.EntityPath.Subscription(Path, Subscription);

    public override string ToString() => DeadLetter ? Loire.Entities.EntityPath.DeadLetter(EntityPath) : EntityPath;

    /// <summary>Parses an address; an <see cref="AmqpException"/> with an AMQP condition when it names nothing Loire has.</summary>
    public static AmqpAddress Parse(string? address)
    {
        if (string.IsNullOrWhiteSpace(address))
        {
            throw new AmqpException(ErrorCode.InvalidField, "The link needs an address: a queue, topic or topic/Subscriptions/name.");
        }

        var path = address.Trim();
        if (Uri.TryCreate(path, UriKind.Absolute, out var uri) && uri.Scheme is "amqp" or "amqps")
        {
            path = Uri.UnescapeDataString(uri.AbsolutePath);
        }

        path = path.Trim('/');
        if (path.StartsWith('$'))
        {
            throw new AmqpException(ErrorCode.NotImplemented, $"The node '{path}' is not supported: Loire's AMQP front door serves queues, topics and subscriptions only.");
        }

        var deadLetter = false;
        if (path.EndsWith(Loire.Entities.EntityPath.DeadLetterQueueSuffix, StringComparison.OrdinalIgnoreCase))
        {
            deadLetter = true;
            path = path[..^Loire.Entities.EntityPath.DeadLetterQueueSuffix.Length];
        }

        string? subscription = null;
        var marker = "/" + Loire.Entities.EntityPath.SubscriptionsSegment + "/";
        var at = path.LastIndexOf(marker, StringComparison.OrdinalIgnoreCase);
        if (at > 0)
        {
            subscription = path[(at + marker.Length)..];
            path = path[..at];
            if (Loire.Entities.EntityPath.GetNameError(subscription, "subscription name") is { } nameError)
            {
                throw new AmqpException(ErrorCode.InvalidField, nameError);
            }
        }

        if (Loire.Entities.EntityPath.GetQueueOrTopicError(path) is { } error)
        {
            throw new AmqpException(ErrorCode.InvalidField, error);
        }

        return new AmqpAddress(path, subscription, deadLetter);
    }
}
