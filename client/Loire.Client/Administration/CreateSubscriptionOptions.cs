using Loire.Client.Internal;
using Loire.Entities;

namespace Loire.Client.Administration;

/// <summary>What a new subscription looks like. Unset properties take the broker's defaults.</summary>
public sealed class CreateSubscriptionOptions
{
    private string _topicName;
    private string _subscriptionName;

    /// <summary>Creates options for subscription <paramref name="subscriptionName"/> of <paramref name="topicName"/> with default settings.</summary>
    /// <param name="topicName">The topic's path.</param>
    /// <param name="subscriptionName">The subscription's name within the topic.</param>
    public CreateSubscriptionOptions(string topicName, string subscriptionName)
    {
        _topicName = topicName ?? throw new ArgumentNullException(nameof(topicName));
        _subscriptionName = subscriptionName ?? throw new ArgumentNullException(nameof(subscriptionName));
    }

    /// <summary>Creates options that copy an existing subscription's settings.</summary>
    /// <param name="subscription">The subscription to copy.</param>
    public CreateSubscriptionOptions(SubscriptionProperties subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        _topicName = subscription.TopicName;
        _subscriptionName = subscription.SubscriptionName;
        LockDuration = subscription.LockDuration;
        MaxDeliveryCount = subscription.MaxDeliveryCount;
        DefaultMessageTimeToLive = subscription.DefaultMessageTimeToLive;
        DeadLetteringOnMessageExpiration = subscription.DeadLetteringOnMessageExpiration;
        RequiresSession = subscription.RequiresSession;
        ForwardTo = subscription.ForwardTo;
        ForwardDeadLetteredMessagesTo = subscription.ForwardDeadLetteredMessagesTo;
        AutoDeleteOnIdle = subscription.AutoDeleteOnIdle;
        EnableEarlyDelivery = subscription.EnableEarlyDelivery;
    }

    /// <summary>The topic's path.</summary>
    public string TopicName
    {
        get => _topicName;
        set => _topicName = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>The subscription's name within the topic.</summary>
    public string SubscriptionName
    {
        get => _subscriptionName;
        set => _subscriptionName = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>How long a peek-lock receive holds a message. Default 30 s.</summary>
    public TimeSpan LockDuration { get; set; } = EntityDefaults.Options.LockDuration;

    /// <summary>Deliveries after which a message moves to the dead-letter queue. Default 10.</summary>
    public int MaxDeliveryCount { get; set; } = EntityDefaults.Options.MaxDeliveryCount;

    /// <summary>Time to live of messages that set none. Default <see cref="TimeSpan.MaxValue"/> (never expire).</summary>
    public TimeSpan DefaultMessageTimeToLive { get; set; } = EntityDefaults.Options.DefaultMessageTimeToLive;

    /// <summary>Expired messages go to the dead-letter queue instead of being dropped. Default false.</summary>
    public bool DeadLetteringOnMessageExpiration { get; set; } = EntityDefaults.Options.DeadLetteringOnMessageExpiration;

    /// <summary>Messages carry a SessionId and are delivered in order per session. Default false.</summary>
    public bool RequiresSession { get; set; } = EntityDefaults.Options.RequiresSession;

    /// <summary>
    /// Queue or topic that receives every message this subscription gets (the subscription itself then holds
    /// nothing); null (the default) for none. It must exist (<see cref="LoireErrorReason.MessagingEntityNotFound"/>
    /// naming it otherwise), and the forwarding chain must not come back to this topic or take more than 4 hops
    /// (<see cref="LoireErrorReason.InvalidArgument"/>).
    /// </summary>
    public string? ForwardTo { get; set; } = EntityDefaults.Options.ForwardTo;

    /// <summary>
    /// Queue or topic that receives every message dead-lettered here, with <c>DeadLetterReason</c>,
    /// <c>DeadLetterErrorDescription</c> and <c>DeadLetterSource</c> application properties; null (the default) for
    /// none. It must exist (<see cref="LoireErrorReason.MessagingEntityNotFound"/> naming it otherwise).
    /// </summary>
    public string? ForwardDeadLetteredMessagesTo { get; set; } = EntityDefaults.Options.ForwardDeadLetteredMessagesTo;

    /// <summary>Idle time after which the subscription deletes itself, messages included; idle means no deliveries, receives or settlements. At least 5 s. Default <see cref="TimeSpan.MaxValue"/> (never).</summary>
    public TimeSpan AutoDeleteOnIdle { get; set; } = EntityDefaults.Options.AutoDeleteOnIdle;

    /// <inheritdoc cref="CreateQueueOptions.EnableEarlyDelivery"/>
    public bool EnableEarlyDelivery { get; set; } = EntityDefaults.Options.EnableEarlyDelivery;

    /// <summary>The wire form, validated; throws <see cref="LoireErrorReason.InvalidArgument"/>.</summary>
    internal EntityOptions ToEntityOptions()
    {
        EntityPath.ValidateQueueOrTopic(TopicName);
        Validation.ValidateSubscriptionName(SubscriptionName, TopicName);
        var path = EntityPath.Subscription(TopicName, SubscriptionName);
        Validation.Positive(LockDuration, nameof(LockDuration), path);
        Validation.AtLeast(MaxDeliveryCount, 1, nameof(MaxDeliveryCount), path);
        Validation.Positive(DefaultMessageTimeToLive, nameof(DefaultMessageTimeToLive), path);
        Validation.Positive(AutoDeleteOnIdle, nameof(AutoDeleteOnIdle), path);
        Validation.OptionalPath(ForwardTo, nameof(ForwardTo), path);
        Validation.OptionalPath(ForwardDeadLetteredMessagesTo, nameof(ForwardDeadLetteredMessagesTo), path);
        if (string.Equals(ForwardTo, TopicName, StringComparison.Ordinal))
        {
            throw Validation.Invalid("A subscription cannot forward to its own topic; that would loop.", path);
        }

        return new EntityOptions
        {
            LockDuration = LockDuration,
            MaxDeliveryCount = MaxDeliveryCount,
            DefaultMessageTimeToLive = DefaultMessageTimeToLive,
            DeadLetteringOnMessageExpiration = DeadLetteringOnMessageExpiration,
            RequiresSession = RequiresSession,
            ForwardTo = ForwardTo,
            ForwardDeadLetteredMessagesTo = ForwardDeadLetteredMessagesTo,
            AutoDeleteOnIdle = AutoDeleteOnIdle,
            EnableEarlyDelivery = EnableEarlyDelivery,
        };
    }
}
