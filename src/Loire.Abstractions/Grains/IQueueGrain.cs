using Loire.Entities;
using Loire.Messages;
using Loire.Security;

namespace Loire.Grains;

/// <summary>
/// One queue or one subscription (they behave alike for receivers), with its dead-letter sub-queue.
/// Key: the entity path, e.g. <c>orders</c> or <c>events/subscriptions/audit</c>.
/// </summary>
[Alias("loire.IQueueGrain")]
public interface IQueueGrain : IEntityGrain
{
    /// <summary>
    /// Appends messages a topic routed here (subscriptions only), under the topic's sequence numbers so a number
    /// means the same message in every subscription; durable when the call returns. Topics use it for subscriptions
    /// with ForwardTo only: storing subscriptions take part in the topic's one-batch fan-out (<see cref="AdmitDeliveryAsync"/>).
    /// </summary>
    [SiloInternal]
    [Alias("Deliver")]
    ValueTask DeliverAsync(OutgoingMessage[] messages, long[] sequenceNumbers, CancellationToken cancellationToken = default);

    /// <summary>
    /// First step of a topic's atomic fan-out (subscriptions only): checks the quota for the messages under the topic's
    /// sequence numbers and reserves their space, so concurrent deliveries cannot both pass it. Nothing is stored: the
    /// topic writes the copies of every subscription in one batch, then calls <see cref="EndDeliveryAsync"/>.
    /// <paramref name="topicEpoch"/> is the store epoch of the topic activation that admits: reservations of an older
    /// one will never be ended (it was superseded, or died), so the subscription looks their messages up at once.
    /// </summary>
    [SiloInternal]
    [Alias("AdmitDelivery")]
    ValueTask<DeliveryAdmission> AdmitDeliveryAsync(Guid delivery, long topicEpoch, OutgoingMessage[] messages, long[] sequenceNumbers, CancellationToken cancellationToken = default);

    /// <summary>For an admitted delivery in <see cref="DeliveryMode.StoreEarly"/>: the topic's batch is queued, waiting receivers may get the messages now.</summary>
    [SiloInternal]
    [Alias("OfferDelivery")]
    ValueTask OfferDeliveryAsync(Guid delivery, CancellationToken cancellationToken = default);

    /// <summary>
    /// Last step of a fan-out: what became of the topic's batch (see <see cref="DeliveryOutcome"/>); the subscription
    /// indexes the messages, releases the reservation, or both and looks the messages up. Idempotent by sequence
    /// number: a delivery the subscription no longer knows (it was reactivated, or gave up waiting) is looked up in the store.
    /// </summary>
    [SiloInternal]
    [Alias("EndDelivery")]
    ValueTask EndDeliveryAsync(Guid delivery, DeliveryOutcome outcome, long[] sequenceNumbers, CancellationToken cancellationToken = default);

    /// <summary>
    /// The store refused a topic's fan-out batch because <paramref name="epoch"/>, which this subscription's admission
    /// carried, is no longer its current one: the activation that admitted under it steps aside (refuses further calls
    /// and deactivates). Ignored by an activation with another epoch.
    /// </summary>
    [SiloInternal]
    [Alias("DeliveryFenced")]
    ValueTask DeliveryFencedAsync(long epoch, CancellationToken cancellationToken = default);

    /// <summary>Receives up to <c>MaxMessages</c>, waiting up to <c>MaxWaitTime</c> for the first.</summary>
    [RequiresRights(AccessRights.Listen)]
    [Alias("Receive")]
    ValueTask<DeliveredMessage[]> ReceiveAsync(ReceiveRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Opens (or, for a known id, re-confirms) a push delivery link: available messages are locked and pushed to
    /// <paramref name="observer"/> while the link has credit, as long-poll receives are answered. The link lives
    /// while the client renews it (<see cref="FlowLinkAsync"/>) and ends with this activation, which tells the observer.
    /// </summary>
    [RequiresRights(AccessRights.Listen)]
    [Alias("OpenLink")]
    ValueTask OpenLinkAsync(DeliveryLinkRequest request, IDeliveryObserver observer, CancellationToken cancellationToken = default);

    /// <summary>
    /// Renews a link and raises its running credit total to <paramref name="grantedCredit"/> (a lower total changes
    /// nothing); false when this activation does not know the link, which the client then opens again.
    /// </summary>
    [RequiresRights(AccessRights.Listen)]
    [Alias("FlowLink")]
    ValueTask<bool> FlowLinkAsync(Guid linkId, long grantedCredit, CancellationToken cancellationToken = default);

    /// <summary>Closes a link; returns how many messages it was pushed (those the client has not seen are on their way), or -1 for an unknown link.</summary>
    [RequiresRights(AccessRights.Listen)]
    [Alias("CloseLink")]
    ValueTask<long> CloseLinkAsync(Guid linkId, CancellationToken cancellationToken = default);

    /// <summary>Browses messages from a sequence number on, without locking them.</summary>
    [RequiresRights(AccessRights.Listen)]
    [Alias("Peek")]
    ValueTask<DeliveredMessage[]> PeekAsync(long fromSequenceNumber, int maxMessages, SubQueueKind subQueue, CancellationToken cancellationToken = default);

    /// <summary>Receives deferred messages by sequence number; MessageNotFound if one is not deferred here.</summary>
    [RequiresRights(AccessRights.Listen)]
    [Alias("ReceiveDeferred")]
    ValueTask<DeliveredMessage[]> ReceiveDeferredAsync(long[] sequenceNumbers, ReceiveModeKind mode, SubQueueKind subQueue, CancellationToken cancellationToken = default);

    /// <summary>Settles locked messages; returns the lock tokens that were unknown or expired (nothing changed for those).</summary>
    [RequiresRights(AccessRights.Listen)]
    [Alias("Settle")]
    ValueTask<Guid[]> SettleAsync(Settlement[] settlements, CancellationToken cancellationToken = default);

    /// <summary>Extends locks; an entry is null where the lock was unknown or expired.</summary>
    [RequiresRights(AccessRights.Listen)]
    [Alias("RenewLocks")]
    ValueTask<DateTimeOffset?[]> RenewLocksAsync(Guid[] lockTokens, CancellationToken cancellationToken = default);

    /// <summary>
    /// Locks a session of a RequiresSession entity: the named one (SessionCannotBeLocked when someone else holds it),
    /// or the unlocked session whose oldest available message is oldest, waiting up to MaxWaitTime; null when none came.
    /// </summary>
    [RequiresRights(AccessRights.Listen)]
    [Alias("AcceptSession")]
    ValueTask<AcceptedSession?> AcceptSessionAsync(AcceptSessionRequest request, CancellationToken cancellationToken = default);

    /// <summary>Receives the session's next messages in sequence order (the request's SubQueue must be None); SessionLockLost unless the handle holds the session.</summary>
    [RequiresRights(AccessRights.Listen)]
    [Alias("ReceiveSession")]
    ValueTask<DeliveredMessage[]> ReceiveSessionAsync(SessionHandle session, ReceiveRequest request, CancellationToken cancellationToken = default);

    /// <summary>Receives deferred messages of the held session by sequence number; MessageNotFound if one is not a deferred message of it.</summary>
    [RequiresRights(AccessRights.Listen)]
    [Alias("ReceiveSessionDeferred")]
    ValueTask<DeliveredMessage[]> ReceiveSessionDeferredAsync(SessionHandle session, long[] sequenceNumbers, ReceiveModeKind mode, CancellationToken cancellationToken = default);

    /// <summary>Browses the messages of one session from a sequence number on, without locking them.</summary>
    [RequiresRights(AccessRights.Listen)]
    [Alias("PeekSession")]
    ValueTask<DeliveredMessage[]> PeekSessionAsync(string sessionId, long fromSequenceNumber, int maxMessages, CancellationToken cancellationToken = default);

    /// <summary>Settles messages of the held session; returns the lock tokens that were unknown, expired or not of this session.</summary>
    [RequiresRights(AccessRights.Listen)]
    [Alias("SettleSession")]
    ValueTask<Guid[]> SettleSessionAsync(SessionHandle session, Settlement[] settlements, CancellationToken cancellationToken = default);

    /// <summary>Extends message locks of the held session; an entry is null where the lock was unknown, expired or not of this session.</summary>
    [RequiresRights(AccessRights.Listen)]
    [Alias("RenewSessionMessageLocks")]
    ValueTask<DateTimeOffset?[]> RenewSessionMessageLocksAsync(SessionHandle session, Guid[] lockTokens, CancellationToken cancellationToken = default);

    /// <summary>Extends the session lock (and the locks of the messages it holds) by the lock duration; returns the new expiry.</summary>
    [RequiresRights(AccessRights.Listen)]
    [Alias("RenewSessionLock")]
    ValueTask<DateTimeOffset> RenewSessionLockAsync(SessionHandle session, CancellationToken cancellationToken = default);

    /// <summary>Releases the session lock; the messages it still holds become available again. No-op when the handle no longer holds it.</summary>
    [RequiresRights(AccessRights.Listen)]
    [Alias("ReleaseSession")]
    Task ReleaseSessionAsync(SessionHandle session, CancellationToken cancellationToken = default);

    /// <summary>The held session's state, or null when it has none.</summary>
    [RequiresRights(AccessRights.Listen)]
    [Alias("GetSessionState")]
    ValueTask<byte[]?> GetSessionStateAsync(SessionHandle session, CancellationToken cancellationToken = default);

    /// <summary>Replaces the held session's state durably; null removes it.</summary>
    [RequiresRights(AccessRights.Listen)]
    [Alias("SetSessionState")]
    Task SetSessionStateAsync(SessionHandle session, byte[]? state, CancellationToken cancellationToken = default);

    /// <summary>Replaces the rules of a subscription.</summary>
    [SiloInternal]
    [Alias("SetRules")]
    Task SetRulesAsync(RuleDescription[] rules, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes every message of a sub-queue (main: active, locked, deferred and scheduled ones) except those being
    /// settled, expired or forwarded at that moment; returns how many. Receivers holding a purged message's lock see
    /// it as lost.
    /// </summary>
    [RequiresRights(AccessRights.Manage)]
    [Alias("Purge")]
    ValueTask<long> PurgeAsync(SubQueueKind subQueue, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves dead-lettered messages (all, or those with the given sequence numbers; others are ignored) back to the
    /// entity as fresh active messages: delivery count 0, dead-letter reason cleared, same sequence number; an expired
    /// one gets a new time to live. Dead letters locked by a receiver stay. Returns how many moved.
    /// </summary>
    [RequiresRights(AccessRights.Manage)]
    [Alias("ResubmitDeadLetters")]
    ValueTask<long> ResubmitDeadLettersAsync(long[]? sequenceNumbers, CancellationToken cancellationToken = default);
}
