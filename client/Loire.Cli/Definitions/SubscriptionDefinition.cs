using Loire.Client.Administration;

namespace Loire.Cli.Definitions;

/// <summary>A subscription in an export file, with its rules; no rules means the default match-all rule.</summary>
internal sealed class SubscriptionDefinition
{
    public string Name { get; set; } = "";

    public TimeSpan? LockDuration { get; set; }

    public int? MaxDeliveryCount { get; set; }

    public TimeSpan? DefaultMessageTimeToLive { get; set; }

    public bool? DeadLetteringOnMessageExpiration { get; set; }

    public bool? RequiresSession { get; set; }

    public string? ForwardTo { get; set; }

    public string? ForwardDeadLetteredMessagesTo { get; set; }

    public TimeSpan? AutoDeleteOnIdle { get; set; }

    public bool? EnableEarlyDelivery { get; set; }

    public List<RuleDefinition> Rules { get; set; } = [];

    public static SubscriptionDefinition From(SubscriptionProperties subscription) => new()
    {
        Name = subscription.SubscriptionName,
        LockDuration = subscription.LockDuration,
        MaxDeliveryCount = subscription.MaxDeliveryCount,
        DefaultMessageTimeToLive = subscription.DefaultMessageTimeToLive,
        DeadLetteringOnMessageExpiration = subscription.DeadLetteringOnMessageExpiration,
        RequiresSession = subscription.RequiresSession,
        ForwardTo = subscription.ForwardTo,
        ForwardDeadLetteredMessagesTo = subscription.ForwardDeadLetteredMessagesTo,
        AutoDeleteOnIdle = subscription.AutoDeleteOnIdle,
        EnableEarlyDelivery = subscription.EnableEarlyDelivery,
    };

    public CreateSubscriptionOptions ToOptions(string topicName, string? name = null) => ApplyTo(new CreateSubscriptionOptions(topicName, name ?? Name));

    /// <summary>The settings given here over <paramref name="options"/> (the defaults, or an update's current settings).</summary>
    public CreateSubscriptionOptions ApplyTo(CreateSubscriptionOptions options)
    {
        options.LockDuration = LockDuration ?? options.LockDuration;
        options.MaxDeliveryCount = MaxDeliveryCount ?? options.MaxDeliveryCount;
        options.DefaultMessageTimeToLive = DefaultMessageTimeToLive ?? options.DefaultMessageTimeToLive;
        options.DeadLetteringOnMessageExpiration = DeadLetteringOnMessageExpiration ?? options.DeadLetteringOnMessageExpiration;
        options.RequiresSession = RequiresSession ?? options.RequiresSession;
        options.ForwardTo = ForwardTo ?? options.ForwardTo;
        options.ForwardDeadLetteredMessagesTo = ForwardDeadLetteredMessagesTo ?? options.ForwardDeadLetteredMessagesTo;
        options.AutoDeleteOnIdle = AutoDeleteOnIdle ?? options.AutoDeleteOnIdle;
        options.EnableEarlyDelivery = EnableEarlyDelivery ?? options.EnableEarlyDelivery;
        return options;
    }
}
