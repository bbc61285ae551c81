using Loire.Entities;
using Loire.Messages;

namespace Loire.Grains;

/// <summary>
/// One queue or one subscription (they behave alike for receivers), with its dead-letter sub-queue.
/// Key: the entity path, e.g. <c>orders</c> or <c>events/subscriptions/audit</c>.
/// </summary>
[Alias("loire.IQueueGrain")]
public interface IQueueGrain : IGrainWithStringKey
{
    /// <summary>Creates the entity; MessagingEntityAlreadyExists if the path is taken.</summary>
    [Alias("Create")]
    Task CreateAsync(EntityDescription description, CancellationToken cancellationToken = default);

    /// <summary>The entity's description; MessagingEntityNotFound if it does not exist.</summary>
    [Alias("GetDescription")]
    Task<EntityDescription> GetDescriptionAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes the entity and every message it holds.</summary>
    [Alias("Delete")]
    Task DeleteAsync(CancellationToken cancellationToken = default);

    /// <summary>Appends messages as one durable batch and returns their sequence numbers (queues only).</summary>
    [Alias("Send")]
    ValueTask<long[]> SendAsync(OutgoingMessage[] messages, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends messages a topic routed here (subscriptions only), under the topic's sequence numbers so a number
    /// means the same message in every subscription; durable when the call returns.
    /// </summary>
    [Alias("Deliver")]
    ValueTask DeliverAsync(OutgoingMessage[] messages, long[] sequenceNumbers, CancellationToken cancellationToken = default);

    /// <summary>Receives up to <c>MaxMessages</c>, waiting up to <c>MaxWaitTime</c> for the first.</summary>
    [Alias("Receive")]
    ValueTask<DeliveredMessage[]> ReceiveAsync(ReceiveRequest request, CancellationToken cancellationToken = default);

    /// <summary>Browses messages from a sequence number on, without locking them.</summary>
    [Alias("Peek")]
    ValueTask<DeliveredMessage[]> PeekAsync(long fromSequenceNumber, int maxMessages, SubQueueKind subQueue, CancellationToken cancellationToken = default);

    /// <summary>Receives deferred messages by sequence number; MessageNotFound if one is not deferred here.</summary>
    [Alias("ReceiveDeferred")]
    ValueTask<DeliveredMessage[]> ReceiveDeferredAsync(long[] sequenceNumbers, ReceiveModeKind mode, SubQueueKind subQueue, CancellationToken cancellationToken = default);

    /// <summary>Settles locked messages; returns the lock tokens that were unknown or expired (nothing changed for those).</summary>
    [Alias("Settle")]
    ValueTask<Guid[]> SettleAsync(Settlement[] settlements, CancellationToken cancellationToken = default);

    /// <summary>Extends locks; an entry is null where the lock was unknown or expired.</summary>
    [Alias("RenewLocks")]
    ValueTask<DateTimeOffset?[]> RenewLocksAsync(Guid[] lockTokens, CancellationToken cancellationToken = default);

    /// <summary>Removes scheduled messages that are not yet visible; unknown numbers are ignored.</summary>
    [Alias("CancelScheduled")]
    Task CancelScheduledAsync(long[] sequenceNumbers, CancellationToken cancellationToken = default);

    /// <summary>Replaces the rules of a subscription.</summary>
    [Alias("SetRules")]
    Task SetRulesAsync(RuleDescription[] rules, CancellationToken cancellationToken = default);

    /// <summary>Live counts.</summary>
    [Alias("GetRuntimeInfo")]
    Task<EntityRuntimeInfo> GetRuntimeInfoAsync(CancellationToken cancellationToken = default);
}
