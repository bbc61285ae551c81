namespace Loire.Messages;

/// <summary>What a receiver does with a locked message.</summary>
[GenerateSerializer, Alias("loire.SettlementKind")]
public enum SettlementKind : byte
{
    /// <summary>Done: remove it.</summary>
    Complete = 0,
    /// <summary>Give it back for redelivery.</summary>
    Abandon = 1,
    /// <summary>Move it to the dead-letter queue.</summary>
    DeadLetter = 2,
    /// <summary>Set it aside; receivable later by sequence number.</summary>
    Defer = 3,
}

/// <summary>One settlement of a locked message, identified by its lock token.</summary>
[GenerateSerializer, Immutable, Alias("loire.Settlement")]
public sealed record Settlement(
    [property: Id(0)] Guid LockToken,
    [property: Id(1)] SettlementKind Kind,
    [property: Id(2)] string? DeadLetterReason = null,
    [property: Id(3)] string? DeadLetterErrorDescription = null);
