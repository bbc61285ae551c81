using System.CommandLine;
using Loire.Cli.Definitions;
using Loire.Cli.Infrastructure;

namespace Loire.Cli.Commands;

/// <summary>The entity settings a create or update command takes as flags; unset flags keep the broker's defaults (create) or the current value (update).</summary>
internal sealed class EntityFlags
{
    private readonly Option<string?> _lockDuration = new("--lock-duration") { Description = "How long a received message stays locked (30s, 5m)" };
    private readonly Option<int?> _maxDeliveryCount = new("--max-delivery-count") { Description = "Deliveries before a message is dead-lettered" };
    private readonly Option<string?> _ttl = new("--ttl") { Description = "Default message time to live (1h, 7d, max)" };
    private readonly Option<bool?> _deadLetterOnExpiration = new("--dead-letter-on-expiration") { Description = "Dead-letter expired messages instead of dropping them" };
    private readonly Option<bool?> _duplicateDetection = new("--duplicate-detection") { Description = "Drop messages whose MessageId was seen within the window" };
    private readonly Option<string?> _duplicateWindow = new("--duplicate-window") { Description = "Duplicate-detection history window (10m)" };
    private readonly Option<bool?> _sessions = new("--sessions") { Description = "Require sessions" };
    private readonly Option<long?> _maxSizeMb = new("--max-size-mb") { Description = "Largest size in megabytes" };
    private readonly Option<long?> _maxMessages = new("--max-messages") { Description = "Most messages the queue holds" };
    private readonly Option<int?> _partitions = new("--partitions") { Description = "Partition count (1-32)" };
    private readonly Option<string?> _forwardTo = new("--forward-to") { Description = "Forward every message to this queue or topic" };
    private readonly Option<string?> _forwardDeadLettersTo = new("--forward-dead-letters-to") { Description = "Forward dead letters to this queue or topic" };
    private readonly Option<int?> _maxMessageSizeKb = new("--max-message-size-kb") { Description = "Largest message in kilobytes" };
    private readonly Option<string?> _autoDeleteOnIdle = new("--auto-delete-on-idle") { Description = "Delete the entity after this long without use (1h, max)" };
    private readonly Option<bool?> _earlyDelivery = new("--early-delivery") { Description = "Hand new messages to waiting receivers while their commit is in flight" };

    public void AddQueueFlags(Command command) => Add(command,
        _lockDuration, _maxDeliveryCount, _ttl, _deadLetterOnExpiration, _duplicateDetection, _duplicateWindow, _sessions,
        _maxSizeMb, _maxMessages, _partitions, _forwardTo, _forwardDeadLettersTo, _maxMessageSizeKb, _autoDeleteOnIdle, _earlyDelivery);

    public void AddTopicFlags(Command command) => Add(command,
        _ttl, _duplicateDetection, _duplicateWindow, _maxSizeMb, _partitions, _maxMessageSizeKb, _autoDeleteOnIdle);

    public void AddSubscriptionFlags(Command command) => Add(command,
        _lockDuration, _maxDeliveryCount, _ttl, _deadLetterOnExpiration, _sessions, _forwardTo, _forwardDeadLettersTo, _autoDeleteOnIdle, _earlyDelivery);

    public QueueDefinition Queue(CommandRun run, string name) => new()
    {
        Name = name,
        LockDuration = Span(run, _lockDuration),
        MaxDeliveryCount = run.Get(_maxDeliveryCount),
        DefaultMessageTimeToLive = Span(run, _ttl),
        DeadLetteringOnMessageExpiration = run.Get(_deadLetterOnExpiration),
        RequiresDuplicateDetection = run.Get(_duplicateDetection),
        DuplicateDetectionHistoryTimeWindow = Span(run, _duplicateWindow),
        RequiresSession = run.Get(_sessions),
        MaxSizeInMegabytes = run.Get(_maxSizeMb),
        MaxMessageCount = run.Get(_maxMessages),
        PartitionCount = run.Get(_partitions),
        ForwardTo = run.Get(_forwardTo),
        ForwardDeadLetteredMessagesTo = run.Get(_forwardDeadLettersTo),
        MaxMessageSizeInKilobytes = run.Get(_maxMessageSizeKb),
        AutoDeleteOnIdle = Span(run, _autoDeleteOnIdle),
        EnableEarlyDelivery = run.Get(_earlyDelivery),
    };

    public TopicDefinition Topic(CommandRun run, string name) => new()
    {
        Name = name,
        DefaultMessageTimeToLive = Span(run, _ttl),
        RequiresDuplicateDetection = run.Get(_duplicateDetection),
        DuplicateDetectionHistoryTimeWindow = Span(run, _duplicateWindow),
        MaxSizeInMegabytes = run.Get(_maxSizeMb),
        PartitionCount = run.Get(_partitions),
        MaxMessageSizeInKilobytes = run.Get(_maxMessageSizeKb),
        AutoDeleteOnIdle = Span(run, _autoDeleteOnIdle),
    };

    public SubscriptionDefinition Subscription(CommandRun run, string name) => new()
    {
        Name = name,
        LockDuration = Span(run, _lockDuration),
        MaxDeliveryCount = run.Get(_maxDeliveryCount),
        DefaultMessageTimeToLive = Span(run, _ttl),
        DeadLetteringOnMessageExpiration = run.Get(_deadLetterOnExpiration),
        RequiresSession = run.Get(_sessions),
        ForwardTo = run.Get(_forwardTo),
        ForwardDeadLetteredMessagesTo = run.Get(_forwardDeadLettersTo),
        AutoDeleteOnIdle = Span(run, _autoDeleteOnIdle),
        EnableEarlyDelivery = run.Get(_earlyDelivery),
    };

    private static TimeSpan? Span(CommandRun run, Option<string?> option) =>
        run.Get(option) is { } text ? Duration.Parse(text, option.Name) : null;

    private static void Add(Command command, params Option[] options)
    {
        foreach (var option in options)
        {
            command.Options.Add(option);
        }
    }
}
