using Loire.Client.Diagnostics;
using Loire.Client.Internal;
using Loire.Grains;
using Loire.Messages;
using Loire.Partitions;
using Microsoft.Extensions.Logging;

namespace Loire.Client.Delivery;

/// <summary>
/// Push delivery for one consumer of an entity: a delivery link on each partition of the entity (one on an entity
/// without partitions), each granted free credits; the broker locks and pushes messages as they arrive until the
/// credit is used, and the set grants more as the consumer gives credits back (in batches of a quarter of the
/// partition's quota, and with every renewal, once a second). No receive call is parked and none follows each delivery.
/// </summary>
/// <remarks>
/// <para>
/// Credit is granted as a running total, so a retried grant cannot grant twice. A link ends when the broker closes it
/// (it tells how many it pushed in all, so the set waits for those still on their way), when a renewal finds the
/// broker no longer knows it (the entity moved after a silo failure), or when the set stops. The set then opens a new
/// one with the credit the old one had not used. Messages of a link the set has given up are abandoned at once.
/// </para>
/// <para>
/// The capacity is split into fixed quotas, one per partition, as equal as they go. A partition's link is granted
/// only credit of its quota, and a message's credit goes back to the quota of the partition it came from (its lock
/// token names it), so the credit outstanding and held never exceeds the capacity, and every partition always has
/// credit of its own: none starves however busy the others are. The price is that one busy partition among idle ones
/// gets only its quota. Lending idle partitions' credit to it would mean closing their links to take back what they
/// were granted (grants only grow), and then finding out again which partitions have messages; not worth it. Push
/// hence needs a credit per partition: with a smaller capacity the consumer polls, whose draws rotate over the
/// partitions.
/// </para>
/// </remarks>
internal sealed partial class DeliveryLinkSet
{
    /// <summary>Most credit a link may have outstanding (the broker's limit).</summary>
    internal const int MaxLinkCredit = 5_000;

    /// <summary>How often a link is renewed; the broker closes links it has not heard of for its link lease (30 s by default, at least 5 s).</summary>
    private static readonly TimeSpan LinkRenewInterval = TimeSpan.FromSeconds(1);

    /// <summary>How long messages a closed link was pushed are waited for before their credit is given up.</summary>
    private static readonly TimeSpan LateDeliveryWait = TimeSpan.FromSeconds(2);

    private readonly LoireClient _client;
    private readonly LoireReceiver _receiver;
    private readonly IDeliveryLinkConsumer _consumer;
    private readonly string _entityPath;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly object _linkLock = new();

    /// <summary>The entity's partitions, by index.</summary>
    private readonly PushPartition[] _partitions;

    /// <summary>Links the broker closed while some of what they were pushed was still on its way.</summary>
    private readonly List<PushLink> _draining = [];

    private DeliveryObserver? _observer;
    private IDeliveryObserver? _observerReference;

    private DeliveryLinkSet(LoireClient client, LoireReceiver receiver, int partitionCount, int capacity, IDeliveryLinkConsumer consumer, ILogger logger)
    {
        _client = client;
        _receiver = receiver;
        _consumer = consumer;
        _entityPath = receiver.EntityPath;
        _logger = logger;
        _time = client.TimeProvider;
        _partitions = [.. Enumerable.Range(0, partitionCount).Select(index => new PushPartition(
            EntityPartitions.GrainPath(receiver.GrainPath, index),
            capacity / partitionCount + (index < capacity % partitionCount ? 1 : 0)))];
    }

    /// <summary>
    /// A link set for <paramref name="capacity"/> credits on the receiver's entity, or null when the entity cannot be
    /// pushed from with so few (fewer credits than partitions) or was not found (polling reports that).
    /// </summary>
    public static async Task<DeliveryLinkSet?> CreateAsync(
        LoireClient client, LoireReceiver receiver, int capacity, IDeliveryLinkConsumer consumer, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            await receiver.GetPartitionCountAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Polling reports what is wrong (and stops at once when the consumer is stopping).
            return null;
        }

        // 0 while the entity was not found.
        var partitionCount = receiver.KnownPartitionCount;
        return partitionCount < 1 || partitionCount > capacity
            ? null
            : new DeliveryLinkSet(client, receiver, partitionCount, capacity, consumer, logger);
    }

    /// <summary>Keeps a link open on every partition until <paramref name="stopping"/> is cancelled or the consumer gives up; then closes them.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            await Task.WhenAll(_partitions.Select(partition => LinkLoopAsync(partition, stopping))).ConfigureAwait(false);
        }
        finally
        {
            await DeleteObserverReferenceAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Gives back the credit a message held, to the quota of its partition.</summary>
    public void Release(LoireReceivedMessage message)
    {
        var index = _partitions.Length == 1 ? 0 : EntityPartitions.PartitionOfLockToken(message.LockTokenGuid);
        _partitions[index < _partitions.Length ? index : 0].Release(1);
    }

    private async Task LinkLoopAsync(PushPartition partition, CancellationToken stopping)
    {
        var failures = 0;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                try
                {
                    var link = await OpenLinkAsync(partition, stopping).ConfigureAwait(false);
                    failures = 0;
                    await KeepLinkAsync(link, stopping).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !stopping.IsCancellationRequested)
                {
                    // The broker may still know the link (the call failed, not the entity): ask it to drop the link, so
                    // it does not lock more messages for a link no one reads.
                    ForgetLink(partition, closeOnBroker: true);
                    if (!await _consumer.RecoverAsync(exception, failures++, stopping).ConfigureAwait(false))
                    {
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            await CloseLinkOnStopAsync(partition).ConfigureAwait(false);
        }
    }

    /// <summary>Opens a link on the partition with its free credits, once there is at least one.</summary>
    private async Task<PushLink> OpenLinkAsync(PushPartition partition, CancellationToken stopping)
    {
        while (partition.FreeCredits <= 0)
        {
            await partition.FlowSignal.WaitAsync(stopping).ConfigureAwait(false);
        }

        var observer = await GetObserverReferenceAsync(stopping).ConfigureAwait(false);
        var link = new PushLink(Guid.NewGuid(), partition);
        lock (_linkLock)
        {
            // Known before the broker hears of it: its first push may arrive before the answer to the open.
            GrantFreeCredits(link);
            partition.Link = link;
        }

        var request = new DeliveryLinkRequest(link.Id, link.Granted, _receiver.SubQueueKind);
        var path = partition.GrainPath;
        await _client.Executor.ExecuteAsync("open link", _entityPath, RetryKind.Idempotent,
            (grains, ct) => grains.Queue(path).OpenLinkAsync(request, observer, ct), stopping).ConfigureAwait(false);
        LogLinkOpened(_logger, path, link.Id, request.GrantedCredit);
        return link;
    }

    /// <summary>Grants freed credit and renews the link until the broker closes or forgets it.</summary>
    private async Task KeepLinkAsync(PushLink link, CancellationToken stopping)
    {
        var partition = link.Partition;
        var path = partition.GrainPath;
        var renewedAt = _time.GetTimestamp();
        while (true)
        {
            var wait = LinkRenewInterval - _time.GetElapsedTime(renewedAt);
            if (wait > TimeSpan.Zero && await partition.FlowSignal.WaitAsync(wait, stopping).ConfigureAwait(false))
            {
                while (partition.FlowSignal.Wait(0))
                {
                }
            }

            long granted;
            lock (_linkLock)
            {
                if (partition.Link != link)
                {
                    // The broker closed it.
                    return;
                }

                if (GrantFreeCredits(link) == 0 && _time.GetElapsedTime(renewedAt) < LinkRenewInterval)
                {
                    continue;
                }

                granted = link.Granted;
            }

            var known = await _client.Executor.ExecuteAsync("grant credit", _entityPath, RetryKind.Idempotent,
                (grains, ct) => grains.Queue(path).FlowLinkAsync(link.Id, granted, ct), stopping).ConfigureAwait(false);
            renewedAt = _time.GetTimestamp();
            if (!known)
            {
                LogLinkLost(_logger, path, link.Id);
                ForgetLink(partition, closeOnBroker: false);
                return;
            }
        }
    }

    /// <summary>Adds its partition's free credits to the link's grant, up to the broker's limit; returns how many. Under the link lock.</summary>
    private static long GrantFreeCredits(PushLink link)
    {
        var take = link.Partition.Take(MaxLinkCredit - link.Outstanding);
        link.Granted += take;
        return take;
    }

    /// <summary>
    /// Gives up the partition's current link without a count from the broker: its unused credit is free again, and
    /// whatever it is still pushed is abandoned on arrival.
    /// </summary>
    private void ForgetLink(PushPartition partition, bool closeOnBroker)
    {
        PushLink? link;
        lock (_linkLock)
        {
            link = partition.Link;
            if (link is null)
            {
                return;
            }

            partition.Link = null;
        }

        partition.Release(link.Outstanding);
        if (closeOnBroker)
        {
            _ = CloseQuietlyAsync(link);
        }
    }

    /// <summary>
    /// Asks the broker to drop a link; returns how many messages it pushed through it, or -1 when it did not know the
    /// link or could not be asked (it drops unrenewed links by itself, and what they push is abandoned on arrival).
    /// </summary>
    private async Task<long> CloseQuietlyAsync(PushLink link)
    {
        var path = link.Partition.GrainPath;
        var linkId = link.Id;
        try
        {
            return await _client.Executor.ExecuteAsync("close link", _entityPath, RetryKind.Idempotent,
                (grains, ct) => grains.Queue(path).CloseLinkAsync(linkId, ct), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            LogLinkCloseFailed(_logger, path, linkId, exception);
            return -1;
        }
    }

    /// <summary>Observer: messages the broker pushed.</summary>
    internal void OnPushed(Guid linkId, DeliveredMessage[] delivered)
    {
        bool known;
        lock (_linkLock)
        {
            var link = FindOpenLink(linkId)?.Link ?? _draining.Find(l => l.Id == linkId);
            known = link is not null;
            if (link is not null)
            {
                link.CountReceived(delivered.Length);
                if (link.Drained.IsCompleted)
                {
                    _draining.Remove(link);
                }
            }
        }

        var messages = _receiver.WrapAll(delivered, locked: true);
        if (!known)
        {
            _ = AbandonAsync(messages, releaseCredit: false);
            return;
        }

        if (!_consumer.TryAccept(this, messages))
        {
            _ = AbandonAsync(messages, releaseCredit: true);
        }
    }

    /// <summary>Observer: the broker closed a link after pushing <paramref name="delivered"/> messages through it.</summary>
    internal void OnLinkClosed(Guid linkId, long delivered, LoireErrorReason reason, string message)
    {
        PushLink link;
        long unused;
        lock (_linkLock)
        {
            if (FindOpenLink(linkId) is not { Link: { } open } partition)
            {
                return;
            }

            link = open;
            partition.Link = null;
            unused = link.Close(delivered);
            if (!link.Drained.IsCompleted)
            {
                _draining.Add(link);
            }
        }

        LogLinkClosed(_logger, link.Partition.GrainPath, linkId, reason, message);
        link.Partition.Release(unused);
        link.Partition.FlowSignal.Release();
        if (!link.Drained.IsCompleted)
        {
            _ = GiveUpLateDeliveriesAsync(link);
        }
    }

    /// <summary>Frees the credit of pushes a closed link never delivered, once they have had time to arrive.</summary>
    private async Task GiveUpLateDeliveriesAsync(PushLink link)
    {
        await Task.WhenAny(link.Drained, Task.Delay(LateDeliveryWait, _time)).ConfigureAwait(false);
        long missing;
        lock (_linkLock)
        {
            if (!_draining.Remove(link))
            {
                return;
            }

            missing = link.Delivered!.Value - link.Received;
        }

        link.Partition.Release(missing);
    }

    /// <summary>The partition whose open link is <paramref name="linkId"/>; null when none is. Under the link lock.</summary>
    private PushPartition? FindOpenLink(Guid linkId) => Array.Find(_partitions, p => p.Link?.Id == linkId);

    /// <summary>Closes the partition's link so the broker pushes no more, and waits (briefly) for what it pushed, so the stop gives that back too.</summary>
    private async Task CloseLinkOnStopAsync(PushPartition partition)
    {
        PushLink? link;
        lock (_linkLock)
        {
            link = partition.Link;
        }

        if (link is null)
        {
            return;
        }

        var delivered = await CloseQuietlyAsync(link).ConfigureAwait(false);
        if (delivered >= 0)
        {
            lock (_linkLock)
            {
                link.Close(delivered);
            }

            await Task.WhenAny(link.Drained, Task.Delay(LateDeliveryWait, _time)).ConfigureAwait(false);
        }

        lock (_linkLock)
        {
            partition.Link = null;
        }
    }

    /// <summary>The one observer reference all the set's links push to (their pushes carry the link id).</summary>
    private async ValueTask<IDeliveryObserver> GetObserverReferenceAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _observerReference) is { } known)
        {
            return known;
        }

        var grainFactory = await _client.Executor.Connection.GetGrainFactoryAsync(cancellationToken).ConfigureAwait(false);
        lock (_linkLock)
        {
            // The observer object is held here: Orleans keeps only a weak reference to it.
            _observer ??= new DeliveryObserver(this);
            return _observerReference ??= grainFactory.CreateObjectReference<IDeliveryObserver>(_observer);
        }
    }

    private async Task DeleteObserverReferenceAsync()
    {
        if (_observerReference is not { } reference || _client.IsClosed)
        {
            return;
        }

        try
        {
            var grainFactory = await _client.Executor.Connection.GetGrainFactoryAsync().ConfigureAwait(false);
            grainFactory.DeleteObjectReference<IDeliveryObserver>(reference);
        }
        catch (Exception exception) when (exception is ObjectDisposedException or InvalidOperationException)
        {
            // The connection is closing; the reference goes with it.
        }
    }

    /// <summary>
    /// Abandons pushed messages no one takes (of a link the set gave up, or arriving while the consumer stops); failures
    /// only logged, since their locks run out by themselves.
    /// </summary>
    private async Task AbandonAsync(List<LoireReceivedMessage> messages, bool releaseCredit)
    {
        try
        {
            if (!_client.IsClosed)
            {
                await _receiver.SettleOnPartitionsAsync([.. messages.Select(m => new Settlement(m.LockTokenGuid, SettlementKind.Abandon))],
                    "abandon", CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception exception)
        {
            LogAbandonFailed(_logger, messages.Count, _entityPath, exception);
        }
        finally
        {
            if (releaseCredit)
            {
                foreach (var message in messages)
                {
                    Release(message);
                }
            }
        }
    }

    [LoggerMessage(EventId = (int)LoireClientLogEvent.LinkOpened, Level = LogLevel.Debug,
        Message = "Opened delivery link {LinkId} on {EntityPath} with {Credit} credits")]
    private static partial void LogLinkOpened(ILogger logger, string entityPath, Guid linkId, long credit);

    [LoggerMessage(EventId = (int)LoireClientLogEvent.LinkClosed, Level = LogLevel.Debug,
        Message = "The broker closed delivery link {LinkId} on {EntityPath} ({Reason}: {Message}); opening another")]
    private static partial void LogLinkClosed(ILogger logger, string entityPath, Guid linkId, LoireErrorReason reason, string message);

    [LoggerMessage(EventId = (int)LoireClientLogEvent.LinkLost, Level = LogLevel.Information,
        Message = "The broker no longer knows delivery link {LinkId} on {EntityPath} (the entity moved); opening another")]
    private static partial void LogLinkLost(ILogger logger, string entityPath, Guid linkId);

    [LoggerMessage(EventId = (int)LoireClientLogEvent.LinkCloseFailed, Level = LogLevel.Debug,
        Message = "Closing delivery link {LinkId} on {EntityPath} failed; the broker drops it when it is not renewed")]
    private static partial void LogLinkCloseFailed(ILogger logger, string entityPath, Guid linkId, Exception exception);

    [LoggerMessage(EventId = (int)LoireClientLogEvent.LinkAbandonFailed, Level = LogLevel.Warning,
        Message = "Could not abandon {Count} pushed messages of {EntityPath} that no one takes; they return when their locks expire")]
    private static partial void LogAbandonFailed(ILogger logger, int count, string entityPath, Exception exception);
}
