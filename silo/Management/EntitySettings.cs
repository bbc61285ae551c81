using Loire.Entities;

namespace Loire.Silo.Management;

/// <summary>
/// Settings of a queue, topic or subscription. In a create request every field is optional (absent keeps the
/// broker's default; settings that do not apply to the kind are refused by the broker or ignored as the .NET client's
/// are); in a response every field is set. Durations are <c>[d.]hh:mm:ss[.fffffff]</c>; <c>10675199.02:48:05.4775807</c>
/// (TimeSpan.MaxValue) means "never".
/// </summary>
public sealed record EntitySettings
{
    public TimeSpan? LockDuration { get; init; }
    public int? MaxDeliveryCount { get; init; }
    public TimeSpan? DefaultMessageTimeToLive { get; init; }
    public bool? DeadLetteringOnMessageExpiration { get; init; }
    public bool? RequiresDuplicateDetection { get; init; }
    public TimeSpan? DuplicateDetectionHistoryTimeWindow { get; init; }
    public bool? RequiresSession { get; init; }
    public long? MaxSizeInMegabytes { get; init; }
    public long? MaxMessageCount { get; init; }
    public int? PartitionCount { get; init; }
    public string? ForwardTo { get; init; }
    public string? ForwardDeadLetteredMessagesTo { get; init; }
    public int? MaxMessageSizeInKilobytes { get; init; }
    public TimeSpan? AutoDeleteOnIdle { get; init; }
    public bool? EnableEarlyDelivery { get; init; }

    public static EntitySettings From(EntityOptions o) => new()
    {
        LockDuration = o.LockDuration,
        MaxDeliveryCount = o.MaxDeliveryCount,
        DefaultMessageTimeToLive = o.DefaultMessageTimeToLive,
        DeadLetteringOnMessageExpiration = o.DeadLetteringOnMessageExpiration,
        RequiresDuplicateDetection = o.RequiresDuplicateDetection,
        DuplicateDetectionHistoryTimeWindow = o.DuplicateDetectionHistoryTimeWindow,
        RequiresSession = o.RequiresSession,
        MaxSizeInMegabytes = o.MaxSizeInMegabytes,
        MaxMessageCount = o.MaxMessageCount,
        PartitionCount = o.PartitionCount,
        ForwardTo = o.ForwardTo,
        ForwardDeadLetteredMessagesTo = o.ForwardDeadLetteredMessagesTo,
        MaxMessageSizeInKilobytes = o.MaxMessageSizeInKilobytes,
        AutoDeleteOnIdle = o.AutoDeleteOnIdle,
        EnableEarlyDelivery = o.EnableEarlyDelivery,
    };

    /// <summary>The broker's defaults with the fields given here; the grain validates the result before it creates anything.</summary>
    public EntityOptions ToOptions() => Merge(new EntityOptions(), update: false);

    /// <summary>
    /// <paramref name="current"/> with the fields given here (an update: absent fields keep their value). Null can only
    /// mean "absent", so ForwardTo and ForwardDeadLetteredMessagesTo are cleared with an empty string, and
    /// MaxMessageCount's limit is lifted with 0.
    /// </summary>
    public EntityOptions ApplyTo(EntityOptions current) => Merge(current, update: true);

    private EntityOptions Merge(EntityOptions d, bool update)
    {
        return new EntityOptions
        {
            LockDuration = LockDuration ?? d.LockDuration,
            MaxDeliveryCount = MaxDeliveryCount ?? d.MaxDeliveryCount,
            DefaultMessageTimeToLive = DefaultMessageTimeToLive ?? d.DefaultMessageTimeToLive,
            DeadLetteringOnMessageExpiration = DeadLetteringOnMessageExpiration ?? d.DeadLetteringOnMessageExpiration,
            RequiresDuplicateDetection = RequiresDuplicateDetection ?? d.RequiresDuplicateDetection,
            DuplicateDetectionHistoryTimeWindow = DuplicateDetectionHistoryTimeWindow ?? d.DuplicateDetectionHistoryTimeWindow,
            RequiresSession = RequiresSession ?? d.RequiresSession,
            MaxSizeInMegabytes = MaxSizeInMegabytes ?? d.MaxSizeInMegabytes,
            MaxMessageCount = update && MaxMessageCount is 0 ? null : MaxMessageCount ?? d.MaxMessageCount,
            PartitionCount = PartitionCount ?? d.PartitionCount,
            ForwardTo = update && ForwardTo is "" ? null : ForwardTo ?? d.ForwardTo,
            ForwardDeadLetteredMessagesTo = update && ForwardDeadLetteredMessagesTo is "" ? null : ForwardDeadLetteredMessagesTo ?? d.ForwardDeadLetteredMessagesTo,
            MaxMessageSizeInKilobytes = MaxMessageSizeInKilobytes ?? d.MaxMessageSizeInKilobytes,
            AutoDeleteOnIdle = AutoDeleteOnIdle ?? d.AutoDeleteOnIdle,
            EnableEarlyDelivery = EnableEarlyDelivery ?? d.EnableEarlyDelivery,
        };
    }
}
