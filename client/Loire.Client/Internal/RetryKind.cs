namespace Loire.Client.Internal;

/// <summary>Which transient failures an operation may be retried after.</summary>
internal enum RetryKind
{
    /// <summary>
    /// Running the operation twice is harmless (reads, receives, lock renewal, cancelling scheduled messages, sends
    /// with a fixed MessageId): retry after any transient failure, timeouts included.
    /// </summary>
    Idempotent,

    /// <summary>
    /// A second run would fail or act twice (settlement, create, delete, schedule): retry only when the failure
    /// proves the first attempt never ran (see <see cref="LoireErrors.ProvesNotExecuted"/>), or when connecting failed.
    /// </summary>
    WhenNotExecuted,
}
