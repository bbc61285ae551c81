using System.Threading.Channels;
using Loire.Messages;

namespace Loire.Client.Processing;

/// <summary>
/// Completes messages for a processor, coalescing completions that arrive while a broker call is in flight into the
/// next call. Adds no delay: a completion that finds the batcher idle is sent at once.
/// </summary>
internal sealed class CompletionBatcher
{
    /// <summary>Most lock tokens one settle call carries.</summary>
    private const int MaxBatchSize = 500;

    private readonly Channel<PendingCompletion> _pending = Channel.CreateUnbounded<PendingCompletion>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });

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

    /// <summary>Sends what is queued, then stops; later completions throw.</summary>
    public async Task CloseAsync()
    {
        _pending.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var reader = _pending.Reader;
        var batch = new List<PendingCompletion>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxBatchSize && reader.TryRead(out var completion))
            {
                batch.Add(completion);
            }

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

            batch.Clear();
        }
    }

    private sealed class PendingCompletion(Guid lockToken)
    {
        public Guid LockToken { get; } = lockToken;

        public TaskCompletionSource<bool> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
