using System.Threading.Channels;
using Loire.Messages;

namespace Loire.Client.Processing;

/// <summary>
/// Completes messages for a processor, coalescing completions into few broker calls. Up to
/// <see cref="MaxCallsInFlight"/> calls are on their way at once; completions that arrive while all of them are
/// go together in the next call. Adds no delay: a completion that finds a call slot free is sent at once.
/// </summary>
internal sealed class CompletionBatcher
{
    /// <summary>Most lock tokens one settle call carries.</summary>
    private const int MaxBatchSize = 500;

    /// <summary>
    /// Most settle calls on their way at once. The broker settles concurrent calls in one store commit, so a few calls
    /// in flight keep it busy while each waits for its commit; one call at a time would cap throughput at a batch per
    /// round trip, and many would only split the batches.
    /// </summary>
    internal const int MaxCallsInFlight = 4;

    private readonly Channel<PendingCompletion> _pending = Channel.CreateUnbounded<PendingCompletion>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });

    private readonly SemaphoreSlim _callSlots = new(MaxCallsInFlight, MaxCallsInFlight);
    private readonly Func<Settlement[], ValueTask<Guid[]>> _settle;
    private readonly Task _loop;

    /// <param name="settle">Sends settlements to the broker in one call; returns the lock tokens that were lost.</param>
    public CompletionBatcher(Func<Settlement[], ValueTask<Guid[]>> settle)
    {
        _settle = settle;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Completes the message with <paramref name="lockToken"/>: true once completed, false when its lock was lost.</summary>
    /// <exception cref="LoireException">The broker call failed; the message may or may not be completed.</exception>
    public Task<bool> CompleteAsync(Guid lockToken)
    {
        var completion = new PendingCompletion(lockToken);
        if (!_pending.Writer.TryWrite(completion))
        {
            throw new InvalidOperationException("The processor's completion batcher is closed.");
        }

        return completion.Result.Task;
    }

    /// <summary>Sends what is queued and waits for every call on its way, then stops; later completions throw.</summary>
    public async Task CloseAsync()
    {
        _pending.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var reader = _pending.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            // Whatever arrives while every slot is taken goes in the call that gets the next free one.
            await _callSlots.WaitAsync().ConfigureAwait(false);
            var batch = new List<PendingCompletion>();
            while (batch.Count < MaxBatchSize && reader.TryRead(out var completion))
            {
                batch.Add(completion);
            }

            _ = SendAsync(batch);
        }

        for (var i = 0; i < MaxCallsInFlight; i++)
        {
            await _callSlots.WaitAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Sends one batch and settles its completions; never throws. Frees its call slot at the end.</summary>
    private async Task SendAsync(List<PendingCompletion> batch)
    {
        try
        {
            var settlements = new Settlement[batch.Count];
            for (var i = 0; i < settlements.Length; i++)
            {
                settlements[i] = new Settlement(batch[i].LockToken, SettlementKind.Complete);
            }

            var lost = await _settle(settlements).ConfigureAwait(false);
            var lostSet = lost.Length == 0 ? null : new HashSet<Guid>(lost);
            foreach (var completion in batch)
            {
                completion.Result.TrySetResult(lostSet is null || !lostSet.Contains(completion.LockToken));
            }
        }
        catch (Exception exception)
        {
            foreach (var completion in batch)
            {
                completion.Result.TrySetException(exception);
            }
        }
        finally
        {
            _callSlots.Release();
        }
    }

    private sealed class PendingCompletion(Guid lockToken)
    {
        public Guid LockToken { get; } = lockToken;

        public TaskCompletionSource<bool> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
