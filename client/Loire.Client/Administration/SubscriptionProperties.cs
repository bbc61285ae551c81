using Loire.Entities;

namespace Loire.Client.Administration;

/// <summary>A subscription's settings, as the broker holds them.</summary>
public sealed class SubscriptionProperties
{
    internal SubscriptionProperties(EntityDescription description)
    {
        var options = description.Options;
        (TopicName, SubscriptionName) = SubscriptionPath.Split(description.Path);
        LockDuration = options.LockDuration;
        MaxDeliveryCount = options.MaxDeliveryCount;
        DefaultMessageTimeToLive = options.DefaultMessageTimeToLive;
        DeadLetteringOnMessageExpiration = options.DeadLetteringOnMessageExpiration;
        RequiresSession = options.RequiresSession;
        ForwardTo = options.ForwardTo;
        ForwardDeadLetteredMessagesTo = options.ForwardDeadLetteredMessagesTo;
        AutoDeleteOnIdle = options.AutoDeleteOnIdle;
        EnableEarlyDelivery = options.EnableEarlyDelivery;
        CreatedAt = description.CreatedAt;
        UpdatedAt = description.UpdatedAt;
    }

    /// <summary>The topic's path.</summary>
    public string TopicName { get; }

    /// <summary>The subscription's name within the topic.</summary>
    public string SubscriptionName { get; }

    /// <summary>How long a peek-lock receive holds a message.</summary>
    public TimeSpan LockDuration { get; }

    /// <summary>Deliveries after which a message moves to the dead-letter queue.</summary>
    public int MaxDeliveryCount { get; }

    /// <summary>Time to live of messages that set none; <see cref="TimeSpan.MaxValue"/> means never expire.</summary>
    public TimeSpan DefaultMessageTimeToLive { get; }

    /// <summary>Whether expired messages go to the dead-letter queue instead of being dropped.</summary>
    public bool DeadLetteringOnMessageExpiration { get; }

    /// <summary>Whether messages carry a SessionId and are delivered in order per session.</summary>
    public bool RequiresSession { get; }

    /// <summary>Entity that receives every message this subscription gets, if any.</summary>
    public string? ForwardTo { get; }

    /// <summary>Entity that receives every message dead-lettered here, if any.</summary>
    public string? ForwardDeadLetteredMessagesTo { get; }

    /// <summary>Idle time after which the subscription deletes itself; <see cref="TimeSpan.MaxValue"/> means never.</summary>
    public TimeSpan AutoDeleteOnIdle { get; }

    /// <summary>Whether a waiting receiver may get a new message while its store commit is in flight (see <see cref="CreateSubscriptionOptions.EnableEarlyDelivery"/>).</summary>
    public bool EnableEarlyDelivery { get; }

    /// <summary>When the subscription was created.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>When the subscription's settings last changed.</summary>
    public DateTimeOffset UpdatedAt { get; }

    /// <inheritdoc />
    public override string ToString() => $"Subscription {TopicName}/{SubscriptionName}";
}
