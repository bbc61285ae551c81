namespace Loire.Silo.Management;

/// <summary>Body of a dead-letter resubmit: the sequence numbers to move back, or null (or no body) for all.</summary>
public sealed record ResubmitRequest(long[]? SequenceNumbers = null);

/// <summary>Body of a scheduled-message cancel: the sequence numbers the schedule returned.</summary>
public sealed record CancelScheduledRequest(long[] SequenceNumbers);

/// <summary>How many messages a purge deleted, or a resubmit moved.</summary>
public sealed record MessageCountResponse(long Count);

/// <summary>The sequence numbers a send got.</summary>
public sealed record SendResponse(IReadOnlyList<long> SequenceNumbers);
