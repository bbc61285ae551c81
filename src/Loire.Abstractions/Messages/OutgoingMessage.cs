namespace Loire.Messages;

/// <summary>A message as a sender hands it to the broker.</summary>
[GenerateSerializer, Immutable, Alias("loire.OutgoingMessage")]
public sealed record OutgoingMessage
{
    [Id(0)] public byte[] Body { get; init; } = [];
    [Id(1)] public string? MessageId { get; init; }
    [Id(2)] public string? ContentType { get; init; }
    [Id(3)] public string? Subject { get; init; }
    [Id(4)] public string? CorrelationId { get; init; }
    [Id(5)] public string? ReplyTo { get; init; }
    [Id(6)] public string? ReplyToSessionId { get; init; }
    [Id(7)] public string? SessionId { get; init; }
    [Id(8)] public string? PartitionKey { get; init; }
    [Id(9)] public string? To { get; init; }
    [Id(10)] public TimeSpan? TimeToLive { get; init; }
    [Id(11)] public DateTimeOffset? ScheduledEnqueueTime { get; init; }

    /// <summary>Application properties; values are strings, numbers, booleans, DateTimeOffset, Guid or TimeSpan.</summary>
    [Id(12)] public Dictionary<string, object>? ApplicationProperties { get; init; }

    /// <summary>Approximate size the broker accounts for: body plus properties.</summary>
    public long EstimateSize()
    {
        long size = Body.Length;
        size += Length(MessageId) + Length(ContentType) + Length(Subject) + Length(CorrelationId) + Length(ReplyTo)
            + Length(ReplyToSessionId) + Length(SessionId) + Length(PartitionKey) + Length(To);
        if (ApplicationProperties is { } properties)
        {
            foreach (var (key, value) in properties)
            {
                size += Length(key) + (value is string s ? Length(s) : 8);
            }
        }

        return size;
    }

    private static int Length(string? value) => value is null ? 0 : value.Length * 2;
}
