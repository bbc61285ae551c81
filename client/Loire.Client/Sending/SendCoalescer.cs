using System.Collections.Concurrent;
using Loire.Entities;
using Loire.Messages;

namespace Loire.Client.Sending;

/// <summary>
/// Turns concurrent sends from one client to the same grain into fewer, larger grain calls, without adding delay:
/// while fewer than <see cref="MaxCallsInFlight"/> calls to a grain are in flight a send goes out at once as its own
/// call; beyond that it waits, and the next call that finishes sends everything waiting (up to the batch limits) as
/// one call. Every caller still gets its own sequence numbers, its own error and its own cancellation.
/// </summary>
/// <remarks>
/// A merged call that fails for a reason that is not transient (one caller's message refused, a quota passed) is
/// not allowed to fail its other callers: each caller's messages are then sent again alone and get their own
/// verdict. Sends are idempotent by MessageId, so the retries of the executor behind <see cref="SendCall"/> may
/// repeat a merged call as a whole.
/// </remarks>
internal sealed class SendCoalescer
{
    /// <summary>Calls to one grain allowed in flight before further sends wait to be merged.</summary>
    public const int MaxCallsInFlight = 4;

    private readonly ConcurrentDictionary<SendTarget, Lane> _lanes = new();
    private readonly SendCall _send;
    private readonly bool _enabled;
    private long _calls;

    /// <param name="send">Makes one grain call (with retries) and returns one sequence number per message.</param>
    /// <param name="enabled">False makes every send its own call at once (<see cref="LoireClientOptions.CoalesceSends"/>).</param>
    public SendCoalescer(SendCall send, bool enabled = true)
    {
        _send = send;
        _enabled = enabled;
    }

    /// <summary>Makes one grain call for <paramref name="target"/> with retries; one sequence number per message.</summary>
    public delegate ValueTask<long[]> SendCall(SendTarget target, OutgoingMessage[] messages, CancellationToken cancellationToken);

    /// <summary>Grain calls made so far (for tests and diagnostics).</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>Grains with sends in flight or waiting (for tests).</summary>
    public int BusyTargets => _lanes.Count;

    /// <summary>Sends <paramref name="messages"/> (already within the batch limits) and returns their sequence numbers.</summary>
    public async Task<long[]> SendAsync(SendTarget target, OutgoingMessage[] messages, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_enabled)
        {
            return await CallAsync(target, messages, cancellationToken).ConfigureAwait(false);
        }

        var lane = _lanes.GetOrAdd(target, static _ => new Lane());
        PendingSend? pending = null;
        lock (lane)
        {
            if (lane.InFlight < MaxCallsInFlight && lane.Waiting.Count == 0)
            {
                lane.InFlight++;
            }
            else
            {
                pending = new PendingSend(messages, cancellationToken);
                pending.WatchCancellation(lane);
                lane.Waiting.Enqueue(pending);
            }
        }

        if (pending is null)
        {
            try
            {
                return await CallAsync(target, messages, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Release(target, lane);
            }
        }

        return await pending.Result.Task.ConfigureAwait(false);
    }

    private ValueTask<long[]> CallAsync(SendTarget target, OutgoingMessage[] messages, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        return _send(target, messages, cancellationToken);
    }

    /// <summary>Gives back a finished call's slot and, when sends are waiting, uses it for the next merged call.</summary>
    private void Release(SendTarget target, Lane lane)
    {
        List<PendingSend>? group;
        bool idle;
        lock (lane)
        {
            lane.InFlight--;
            group = TakeGroup(lane);
            if (group is not null)
            {
                lane.InFlight++;
            }

            idle = lane.InFlight == 0 && lane.Waiting.Count == 0;
        }

        if (idle)
        {
            // A client may send to millions of entities over its life; keep lanes only while they are busy. A sender
            // that picked this lane up just before may still use it: it then works alone beside a new lane, briefly
            // allowing more calls in flight, which is harmless.
            _lanes.TryRemove(KeyValuePair.Create(target, lane));
        }

        if (group is not null)
        {
            // Not inline: a call that fails synchronously (client closed) would otherwise recurse through the queue.
            _ = Task.Run(() => SendGroupAsync(target, lane, group));
        }
    }

    /// <summary>The waiting sends, in order, that fit one call; null when none waits. Called under the lane's lock.</summary>
    private static List<PendingSend>? TakeGroup(Lane lane)
    {
        List<PendingSend>? group = null;
        var count = 0;
        var bytes = 0L;
        while (lane.Waiting.TryPeek(out var next))
        {
            if (next.IsCancelled)
            {
                lane.Waiting.Dequeue();
                continue;
            }

            if (group is not null && (count + next.Messages.Length > LoireSender.MaxBatchMessageCount
                || bytes + next.Bytes > LoireSender.MaxBatchSizeInBytes))
            {
                break;
            }

            lane.Waiting.Dequeue();
            next.IsTaken = true;
            (group ??= []).Add(next);
            count += next.Messages.Length;
            bytes += next.Bytes;
        }

        return group;
    }

    private async Task SendGroupAsync(SendTarget target, Lane lane, List<PendingSend> group)
    {
        try
        {
            if (group.Count == 1)
            {
                await SendAloneAsync(target, group[0]).ConfigureAwait(false);
                return;
            }

            var merged = group.SelectMany(p => p.Messages).ToArray();
            long[] sequenceNumbers;
            try
            {
                // No caller's token may cancel a call that carries the others' messages too; a caller who cancels
                // stops waiting for it instead.
                sequenceNumbers = await CallAsync(target, merged, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not LoireException { IsTransient: true })
            {
                await Task.WhenAll(group.Select(p => SendAloneAsync(target, p))).ConfigureAwait(false);
                return;
            }
            catch (Exception exception)
            {
                foreach (var pending in group)
                {
                    pending.Result.TrySetException(exception);
                }

                return;
            }

            var offset = 0;
            foreach (var pending in group)
            {
                pending.Result.TrySetResult(sequenceNumbers[offset..(offset + pending.Messages.Length)]);
                offset += pending.Messages.Length;
            }
        }
        finally
        {
            foreach (var pending in group)
            {
                pending.DisposeRegistration();
            }

            Release(target, lane);
        }
    }

    private async Task SendAloneAsync(SendTarget target, PendingSend pending)
    {
        try
        {
            pending.Result.TrySetResult(await CallAsync(target, pending.Messages, pending.CancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (pending.CancellationToken.IsCancellationRequested)
        {
            pending.Result.TrySetCanceled(pending.CancellationToken);
        }
        catch (Exception exception)
        {
            pending.Result.TrySetException(exception);
        }
    }

    /// <summary>The sends to one grain: how many calls are in flight and who waits for the next one.</summary>
    private sealed class Lane
    {
        public int InFlight;

        public Queue<PendingSend> Waiting { get; } = new();
    }

    private sealed class PendingSend(OutgoingMessage[] messages, CancellationToken cancellationToken)
    {
        private CancellationTokenRegistration _registration;

        public OutgoingMessage[] Messages { get; } = messages;

        public long Bytes { get; } = messages.Sum(m => m.EstimateSize());

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public TaskCompletionSource<long[]> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Set under the lane's lock once a call carries these messages; until then cancelling withdraws them.</summary>
        public bool IsTaken { get; set; }

        /// <summary>Set under the lane's lock when cancelled before any call carried the messages.</summary>
        public bool IsCancelled { get; private set; }

        /// <summary>Called under the lane's lock (the lock is re-entrant should the token already be cancelled).</summary>
        public void WatchCancellation(Lane lane)
        {
            if (!CancellationToken.CanBeCanceled)
            {
                return;
            }

            _registration = CancellationToken.Register(() =>
            {
                lock (lane)
                {
                    IsCancelled = !IsTaken;
                }

                // Once taken the messages may or may not be stored, as for any cancelled send; the caller stops waiting.
                Result.TrySetCanceled(CancellationToken);
            });
        }

        public void DisposeRegistration() => _registration.Dispose();
    }
}

/// <summary>The grain a send goes to: its kind and grain key, and the entity path errors name.</summary>
internal readonly record struct SendTarget(EntityKind Kind, string GrainKey, string EntityPath);
