using Loire.Client;
using Loire.Grains.Diagnostics;
using Loire.Messages;
using Loire.Storage;

namespace Loire.Grains.Queues;

internal sealed partial class QueueGrain
{
    private const int MaxMessagesPerCall = 5_000;
    private static readonly TimeSpan MaxWaitTime = TimeSpan.FromMinutes(1);

    private readonly LinkedList<ReceiveWaiter> _waiters = new();

    // Never disposed: it owns no timer or wait handle, and a late signal must not find it disposed.
    private readonly CancellationTokenSource _deactivationStarting = new();

    public async ValueTask<DeliveredMessage[]> ReceiveAsync(ReceiveRequest request, CancellationToken cancellationToken = default)
    {
        var options = RequireEntity().Description.Options;
        ThrowIfSessionBound(request.SubQueue);
        if (request.MaxMessages is < 1 or > MaxMessagesPerCall)
        {
            throw new LoireException(LoireErrorReason.InvalidArgument, $"MaxMessages must be between 1 and {MaxMessagesPerCall}; got {request.MaxMessages}.", Path);
        }

        if (request.MaxWaitTime < TimeSpan.Zero || request.MaxWaitTime > MaxWaitTime)
        {
            throw new LoireException(LoireErrorReason.InvalidArgument, $"MaxWaitTime must be between 0 and {MaxWaitTime}; got {request.MaxWaitTime}.", Path);
        }

        var taken = Take(request, options.LockDuration);
        if (taken.Count == 0 && request.MaxWaitTime > TimeSpan.Zero)
        {
            taken = await WaitForMessagesAsync(request, cancellationToken);
        }

        if (taken.Count == 0)
        {
            return [];
        }

        return await HandOutAsync(taken, request.Mode);
    }

    public ValueTask<DeliveredMessage[]> PeekAsync(long fromSequenceNumber, int maxMessages, SubQueueKind subQueue, CancellationToken cancellationToken = default)
    {
        RequireEntity();
        if (maxMessages is < 1 or > MaxMessagesPerCall)
        {
            throw new LoireException(LoireErrorReason.InvalidArgument, $"maxMessages must be between 1 and {MaxMessagesPerCall}; got {maxMessages}.", Path);
        }

        // Keep the smallest sequence numbers in a bounded max-heap: one pass, no full sort.
        var selected = new PriorityQueue<MessageEntry, long>(maxMessages + 1);
        foreach (var entry in _index.Entries)
        {
            if (entry.SubQueue != subQueue || entry.SequenceNumber < fromSequenceNumber)
            {
                continue;
            }

            selected.Enqueue(entry, -entry.SequenceNumber);
            if (selected.Count > maxMessages)
            {
                selected.Dequeue();
            }
        }

        var result = new DeliveredMessage[selected.Count];
        for (var i = result.Length - 1; i >= 0; i--)
        {
            var entry = selected.Dequeue();
            result[i] = entry.ToDelivered() with { LockToken = Guid.Empty, LockedUntil = default };
        }

        return ValueTask.FromResult(result);
    }

    public async ValueTask<DeliveredMessage[]> ReceiveDeferredAsync(long[] sequenceNumbers, ReceiveModeKind mode, SubQueueKind subQueue, CancellationToken cancellationToken = default)
    {
        var options = RequireEntity().Description.Options;
        ThrowIfSessionBound(subQueue);
        if (sequenceNumbers is null || sequenceNumbers.Length == 0)
        {
            return [];
        }

        var entries = new List<MessageEntry>(sequenceNumbers.Length);
        foreach (var sequenceNumber in sequenceNumbers.Distinct())
        {
            if (!_index.TryGet(sequenceNumber, out var entry) || entry.State != MessageState.Deferred
                || entry.SubQueue != subQueue || entry.IsLocked || entry.IsSettling)
            {
                throw new LoireException(LoireErrorReason.MessageNotFound,
                    $"No deferred, unlocked message with sequence number {sequenceNumber} in '{Path}'.", Path);
            }

            entries.Add(entry);
        }

        return await DeliverDeferredAsync(entries, mode, options.LockDuration, session: null);
    }

    /// <summary>
    /// Hands out deferred messages picked by sequence number: locked (and held by <paramref name="session"/>, when
    /// given) in peek-lock mode, deleted durably before the answer in receive-and-delete mode.
    /// </summary>
    private async Task<DeliveredMessage[]> DeliverDeferredAsync(List<MessageEntry> entries, ReceiveModeKind mode, TimeSpan lockDuration,
        MessageSession? session)
    {
        var now = time.GetUtcNow();
        foreach (var entry in entries)
        {
            entry.DeliveryCount++;
            if (mode == ReceiveModeKind.PeekLock)
            {
                var lockToken = NewLockToken();
                _index.Lock(entry, lockToken, now + lockDuration);
                session?.AddHeld(entry, lockToken);
            }
            else
            {
                entry.IsSettling = true;
            }
        }

        EnsureTimer();
        return await HandOutAsync(entries, mode);
    }

    /// <summary>
    /// Answers a receive with messages taken for it, deleted durably first in receive-and-delete mode, within one
    /// delivery span. Completes synchronously (and allocates nothing more) in peek-lock mode.
    /// </summary>
    private async ValueTask<DeliveredMessage[]> HandOutAsync(List<MessageEntry> taken, ReceiveModeKind mode)
    {
        using var activity = BrokerTracing.StartDelivery(Path, taken);
        if (mode == ReceiveModeKind.ReceiveAndDelete)
        {
            try
            {
                await DeleteReceivedAsync(taken);
            }
            catch (Exception exception)
            {
                BrokerTracing.RecordError(activity, exception);
                throw;
            }
        }

        instruments.Delivered(Path, taken.Count);
        return ToDelivered(taken);
    }

    private List<MessageEntry> Take(ReceiveRequest request, TimeSpan lockDuration) =>
        Take(request.MaxMessages, request.Mode, request.SubQueue, lockDuration);

    /// <summary>Takes up to <paramref name="maxMessages"/> available messages: locked in peek-lock mode, marked settling otherwise.</summary>
    private List<MessageEntry> Take(int maxMessages, ReceiveModeKind mode, SubQueueKind subQueue, TimeSpan lockDuration)
    {
        if (_index.AvailableCount(subQueue) == 0)
        {
            return [];
        }

        var now = time.GetUtcNow();
        var taken = new List<MessageEntry>(Math.Min(maxMessages, (int)Math.Min(_index.AvailableCount(subQueue), MaxMessagesPerCall)));
        while (taken.Count < maxMessages && _index.TryTakeAvailable(subQueue, out var entry))
        {
            if (QueueIndex.IsExpired(entry, now))
            {
                // Never hand out an expired message; the timer moves it to the dead-letter queue or drops it.
                entry.IsSettling = true;
                _expiredBacklog.Add(entry);
                continue;
            }

            entry.DeliveryCount++;
            if (mode == ReceiveModeKind.PeekLock)
            {
                _index.Lock(entry, NewLockToken(), now + lockDuration);
            }
            else
            {
                entry.IsSettling = true;
            }

            taken.Add(entry);
        }

        EnsureTimer();
        return taken;
    }

    private async Task<List<MessageEntry>> WaitForMessagesAsync(ReceiveRequest request, CancellationToken cancellationToken)
    {
        var waiter = new ReceiveWaiter(request);
        var node = _waiters.AddLast(waiter);
        using var timeout = ParkedWaitToken(cancellationToken);
        var delay = Task.Delay(request.MaxWaitTime, timeout.Token);
        await Task.WhenAny(waiter.Task, delay);
        timeout.Cancel();

        if (!waiter.Task.IsCompleted)
        {
            _waiters.Remove(node);
            cancellationToken.ThrowIfCancellationRequested();
            return [];
        }

        var taken = await waiter.Task;
        if (cancellationToken.IsCancellationRequested)
        {
            // The caller is gone: give the messages back untouched instead of letting their locks run out.
            foreach (var entry in taken)
            {
                entry.DeliveryCount--;
                entry.IsSettling = false;
                _index.Release(entry);
            }

            DispatchWaiters();
            cancellationToken.ThrowIfCancellationRequested();
        }

        return taken;
    }

    /// <summary>
    /// Called by <see cref="QueueDeactivationWatch"/>, off the grain's scheduler and under an Orleans lock, when this
    /// activation starts to deactivate: parked waits end (their continuations run on the grain's scheduler), and a
    /// receive arriving before the deactivation runs does not park.
    /// </summary>
    internal void OnDeactivationStarting() => _ = _deactivationStarting.CancelAsync();

    /// <summary>Ends a parked wait when the caller cancels or this activation starts to deactivate.</summary>
    private CancellationTokenSource ParkedWaitToken(CancellationToken cancellationToken) =>
        CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _deactivationStarting.Token);

    /// <summary>Hands newly available messages to parked receivers, oldest first, then to delivery links.</summary>
    private void DispatchWaiters()
    {
        if (_document is not { } document)
        {
            return;
        }

        DispatchSessionWaiters(document.Description.Options);
        var node = _waiters.First;
        while (node is not null)
        {
            var next = node.Next;
            var waiter = node.Value;
            if (_index.AvailableCount(waiter.Request.SubQueue) > 0)
            {
                var taken = Take(waiter.Request, document.Description.Options.LockDuration);
                if (taken.Count > 0)
                {
                    _waiters.Remove(node);
                    waiter.Complete(taken);
                }
            }

            node = next;
        }

        DispatchLinks(document.Description.Options.LockDuration);
    }

    private void FailWaiters(Func<Exception> error)
    {
        FailSessionWaiters(error);
        CloseLinks(error());
        while (_waiters.First is { } node)
        {
            _waiters.RemoveFirst();
            node.Value.Fail(error());
        }
    }

    /// <summary>Deletes receive-and-delete messages durably before they are returned; on failure they become available again.</summary>
    private async Task DeleteReceivedAsync(List<MessageEntry> entries)
    {
        // A message whose early-delivering send then failed is not handed out: it never existed.
        await DropUncommittedAsync(entries);
        var batch = new StoreBatch(entries.Count + 1);
        foreach (var entry in entries)
        {
            batch.DeleteMessage(Path, entry.SequenceNumber);
        }

        try
        {
            await WriteAsync(batch, CancellationToken.None);
        }
        catch
        {
            foreach (var entry in entries)
            {
                entry.IsSettling = false;
                _index.Release(entry);
            }

            DispatchWaiters();
            throw;
        }

        foreach (var entry in entries)
        {
            entry.IsSettling = false;
            _index.Remove(entry);
        }

        instruments.Completed(Path, entries.Count);
    }

    private static DeliveredMessage[] ToDelivered(List<MessageEntry> entries)
    {
        var result = new DeliveredMessage[entries.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = entries[i].ToDelivered();
        }

        return result;
    }
}
