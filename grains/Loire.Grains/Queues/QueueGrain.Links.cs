using Loire.Client;
using Loire.Grains.Diagnostics;
using Loire.Messages;
using Microsoft.Extensions.Logging;

namespace Loire.Grains.Queues;

/// <summary>
/// Push delivery: a client's link gets available messages locked and pushed as they come, bounded by the credit the
/// client granted, instead of one long-poll answer (and one new poll) per batch. Locks, expiry and settlement are
/// those of received messages; a link is kept only in this activation and only while its client renews it.
/// </summary>
internal sealed partial class QueueGrain
{
    /// <summary>Most credit a link may have outstanding (granted and not yet used), like a receive's MaxMessages.</summary>
    internal const int MaxLinkCredit = MaxMessagesPerCall;

    /// <summary>Most links open on one entity.</summary>
    internal const int MaxLinks = 1_000;

    /// <summary>Most messages in one push, so that one link with much credit does not hold back the others.</summary>
    private const int MaxPushBatch = 256;

    private readonly List<DeliveryLink> _links = [];
    private int _nextLink;

    public ValueTask OpenLinkAsync(DeliveryLinkRequest request, IDeliveryObserver observer, CancellationToken cancellationToken = default)
    {
        RequireEntity();
        ThrowIfSessionBound(request.SubQueue);
        if (request.LinkId == Guid.Empty || observer is null || !Enum.IsDefined(request.SubQueue))
        {
            throw new LoireException(LoireErrorReason.InvalidArgument, "A link needs an id, an observer and a known sub-queue.", Path);
        }

        var now = time.GetUtcNow();
        if (FindLink(request.LinkId) is { } known)
        {
            // A retried open: the same link, perhaps through a new observer reference.
            known.Observer = observer;
            GrantCredit(known, request.GrantedCredit, now);
        }
        else
        {
            if (_links.Count >= MaxLinks)
            {
                throw new LoireException(LoireErrorReason.QuotaExceeded, $"'{Path}' has {MaxLinks} delivery links open, the most it takes.", Path);
            }

            var link = new DeliveryLink(request.LinkId, observer, request.SubQueue, now);
            GrantCredit(link, request.GrantedCredit, now);
            _links.Add(link);
        }

        EnsureTimer();
        DispatchWaiters();
        return default;
    }

    public ValueTask<bool> FlowLinkAsync(Guid linkId, long grantedCredit, CancellationToken cancellationToken = default)
    {
        RequireEntity();
        if (FindLink(linkId) is not { } link)
        {
            return ValueTask.FromResult(false);
        }

        var before = link.Credit;
        GrantCredit(link, grantedCredit, time.GetUtcNow());
        if (before <= 0 && link.Credit > 0)
        {
            DispatchWaiters();
        }

        return ValueTask.FromResult(true);
    }

    public ValueTask<long> CloseLinkAsync(Guid linkId, CancellationToken cancellationToken = default)
    {
        if (FindLink(linkId) is not { } link)
        {
            return ValueTask.FromResult(-1L);
        }

        _links.Remove(link);
        return ValueTask.FromResult(link.Delivered);
    }

    private void GrantCredit(DeliveryLink link, long grantedTotal, DateTimeOffset now)
    {
        if (grantedTotal - link.Delivered > MaxLinkCredit)
        {
            throw new LoireException(LoireErrorReason.InvalidArgument,
                $"A link may have at most {MaxLinkCredit} messages of credit outstanding; the grant would leave {grantedTotal - link.Delivered}.", Path);
        }

        link.Grant(grantedTotal);
        link.RenewedAt = now;
    }

    private DeliveryLink? FindLink(Guid linkId)
    {
        foreach (var link in _links)
        {
            if (link.Id == linkId)
            {
                return link;
            }
        }

        return null;
    }

    /// <summary>Pushes available messages to links with credit, in turns of at most <see cref="MaxPushBatch"/> from a rotating first link.</summary>
    private void DispatchLinks(TimeSpan lockDuration)
    {
        var count = _links.Count;
        if (count == 0)
        {
            return;
        }

        var start = (int)((uint)_nextLink++ % (uint)count);
        bool pushed;
        do
        {
            pushed = false;
            for (var i = 0; i < count; i++)
            {
                var link = _links[(start + i) % count];
                if (link.Credit <= 0 || _index.AvailableCount(link.SubQueue) == 0)
                {
                    continue;
                }

                var taken = Take((int)Math.Min(link.Credit, MaxPushBatch), ReceiveModeKind.PeekLock, link.SubQueue, lockDuration);
                if (taken.Count > 0)
                {
                    Push(link, taken);
                    pushed = true;
                }
            }
        }
        while (pushed);
    }

    private void Push(DeliveryLink link, List<MessageEntry> taken)
    {
        using var activity = BrokerTracing.StartDelivery(Path, taken);
        instruments.Delivered(Path, taken.Count);
        var first = link.CountPushed(taken.Count);
        try
        {
            // One-way: the task is complete at once. A push that never arrives is a lost answer: its locks run out.
            _ = link.Observer.OnMessagesAsync(link.Id, first, ToDelivered(taken));
        }
        catch (Exception exception)
        {
            BrokerTracing.RecordError(activity, exception);
            LogPushFailed(Path, link.Id, taken.Count, exception);
        }
    }

    /// <summary>Timer: closes links whose client stopped renewing them for the broker's link lease.</summary>
    private void ExpireLinks(DateTimeOffset now)
    {
        var lease = brokerOptions.Value.DeliveryLinkLease;
        for (var i = _links.Count - 1; i >= 0; i--)
        {
            var link = _links[i];
            if (now - link.RenewedAt > lease)
            {
                _links.RemoveAt(i);
                NotifyLinkClosed(link, LoireErrorReason.ServiceTimeout, "The link was not renewed in time.");
            }
        }
    }

    /// <summary>Closes every link, telling its client why (the entity is moving, was deleted or superseded).</summary>
    private void CloseLinks(Exception error)
    {
        if (_links.Count == 0)
        {
            return;
        }

        var (reason, message) = error is LoireException loire ? (loire.Reason, loire.Message) : (LoireErrorReason.ServiceBusy, error.Message);
        foreach (var link in _links)
        {
            NotifyLinkClosed(link, reason, message);
        }

        _links.Clear();
    }

    private void NotifyLinkClosed(DeliveryLink link, LoireErrorReason reason, string message)
    {
        try
        {
            _ = link.Observer.OnLinkClosedAsync(link.Id, link.Delivered, reason, message);
        }
        catch (Exception exception)
        {
            // The client renews its link and opens it again when it is gone.
            LogLinkCloseNoticeFailed(Path, link.Id, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pushing {Count} messages of {Entity} to link {Link} failed; their locks run out and they are delivered again")]
    private partial void LogPushFailed(string entity, Guid link, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Telling link {Link} of {Entity} that it closed failed")]
    private partial void LogLinkCloseNoticeFailed(string entity, Guid link, Exception exception);
}
