using Loire.Client.Administration;

namespace Loire.Cli.Commands;

/// <summary>One line of <c>loire stats</c>: an entity's message counts. A topic holds only its scheduled messages.</summary>
internal sealed record StatsRow(
    string Entity, string Kind, long Active, long DeadLetter, long Scheduled, long Deferred, long Locked, long Total, long SizeInBytes, DateTimeOffset AccessedAt)
{
    public static StatsRow From(QueueRuntimeProperties q) =>
        new(q.Name, "queue", q.ActiveMessageCount, q.DeadLetterMessageCount, q.ScheduledMessageCount, q.DeferredMessageCount,
            q.LockedMessageCount, q.TotalMessageCount, q.SizeInBytes, q.AccessedAt);

    public static StatsRow From(TopicRuntimeProperties t) =>
        new(t.Name, "topic", 0, 0, t.ScheduledMessageCount, 0, 0, t.ScheduledMessageCount, t.SizeInBytes, t.AccessedAt);

    public static StatsRow From(SubscriptionRuntimeProperties s) =>
        new($"{s.TopicName}/subscriptions/{s.SubscriptionName}", "subscription", s.ActiveMessageCount, s.DeadLetterMessageCount,
            s.ScheduledMessageCount, s.DeferredMessageCount, s.LockedMessageCount, s.TotalMessageCount, s.SizeInBytes, s.AccessedAt);
}
