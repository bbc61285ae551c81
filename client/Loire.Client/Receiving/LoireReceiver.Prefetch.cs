using Loire.Client.Delivery;
using Loire.Client.Diagnostics;
using Loire.Client.Internal;
using Loire.Messages;
using Microsoft.Extensions.Logging;

namespace Loire.Client;

public partial class LoireReceiver
{
    /// <summary>A prefetched message is handed out only while more than this much of its lock is left.</summary>
    private static readonly TimeSpan MaxLockSafetyMargin = TimeSpan.FromSeconds(2);

    private protected static readonly TimeSpan EarlyReturnTolerance = TimeSpan.FromMilliseconds(50);

    private protected static readonly TimeSpan EarlyReturnPause = TimeSpan.FromMilliseconds(250);

    /// <summary>Messages fetched ahead, each with the delivery links whose credit it holds (null for a polled one).</summary>
    private readonly Queue<(LoireReceivedMessage Message, DeliveryLinkSet? Links)> _prefetched = new();

    /// <summary>Hands out what one broker call returned: up to <paramref name="maxMessages"/> now, the rest into the prefetch buffer.</summary>
    private List<LoireReceivedMessage> Deliver(DeliveredMessage[] delivered, int maxMessages)
    {
        var messages = WrapAll(delivered, locked: _receiveMode == LoireReceiveMode.PeekLock);
        if (messages.Count <= maxMessages)
        {
            return messages;
        }

        lock (_prefetched)
        {
            for (var i = maxMessages; i < messages.Count; i++)
            {
                _prefetched.Enqueue((messages[i], null));
            }
        }

        messages.RemoveRange(maxMessages, messages.Count - maxMessages);
        return messages;
    }

    /// <summary>Takes up to <paramref name="maxMessages"/> prefetched messages whose locks are safely alive; drops the others.</summary>
    private List<LoireReceivedMessage> TakePrefetched(int maxMessages)
    {
        // Besides prefetch, the buffer holds the surplus of a receive over several partitions, whatever the options.
        var taken = new List<LoireReceivedMessage>();
        var now = _client.TimeProvider.GetUtcNow();
        var dropped = 0;
        lock (_prefetched)
        {
            while (taken.Count < maxMessages && _prefetched.TryDequeue(out var entry))
            {
                var message = entry.Message;

                // Out of the buffer, a pushed message gives its credit back, so the broker pushes the next.
                entry.Links?.Release(message);
                if (!message.IsLocked || IsLockSafelyAlive(message, now))
                {
                    taken.Add(message);
                }
                else
                {
                    dropped++;
                }
            }
        }

        if (dropped > 0)
        {
            // Their locks expire on the broker, which delivers them again.
            OnPrefetchedLocksExpired(dropped);
        }

        return taken;
    }

    /// <summary>Logs dropped prefetched messages; a session receiver logs them with its session.</summary>
    private protected virtual void OnPrefetchedLocksExpired(int count) => LogPrefetchedLockExpired(_logger, count, _entityPath);

    /// <summary>Forgets prefetched messages without abandoning them (a session receiver's release returns them to the broker).</summary>
    private protected void ClearPrefetched()
    {
        lock (_prefetched)
        {
            _prefetched.Clear();
        }
    }

    private static bool IsLockSafelyAlive(LoireReceivedMessage message, DateTimeOffset now)
    {
        var lockSpan = message.LockedUntil - message.ReceivedAt;
        var quarter = TimeSpan.FromTicks(Math.Max(0, lockSpan.Ticks / 4));
        var margin = quarter < MaxLockSafetyMargin ? quarter : MaxLockSafetyMargin;
        return message.LockedUntil - now > margin;
    }

    private async Task AbandonPrefetchedAsync(CancellationToken cancellationToken = default)
    {
        Settlement[] settlements;
        lock (_prefetched)
        {
            if (_prefetched.Count == 0)
            {
                return;
            }

            settlements = _prefetched.Where(e => e.Message.IsLocked).Select(e => new Settlement(e.Message.LockTokenGuid, SettlementKind.Abandon)).ToArray();
            _prefetched.Clear();
        }

        if (_client.IsClosed || settlements.Length == 0)
        {
            return;
        }

        try
        {
            await SettleOnPartitionsAsync(settlements, "abandon prefetched", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Best effort: the locks expire by themselves.
            LogAbandonOnCloseFailed(_logger, settlements.Length, _entityPath, exception);
        }
    }

    [LoggerMessage(EventId = (int)LoireClientLogEvent.PrefetchedLockExpired, Level = LogLevel.Debug,
        Message = "Dropped {Count} prefetched messages of {EntityPath} whose locks expired or were about to; the broker redelivers them")]
    private static partial void LogPrefetchedLockExpired(ILogger logger, int count, string entityPath);

    [LoggerMessage(EventId = (int)LoireClientLogEvent.AbandonOnCloseFailed, Level = LogLevel.Warning,
        Message = "Could not abandon {Count} prefetched messages of {EntityPath} on close; they return when their locks expire")]
    private static partial void LogAbandonOnCloseFailed(ILogger logger, int count, string entityPath, Exception exception);
}
