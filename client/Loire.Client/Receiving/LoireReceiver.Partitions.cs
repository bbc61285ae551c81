using Loire.Client.Internal;
using Loire.Messages;
using Loire.Partitions;

namespace Loire.Client;

/// <summary>
/// Partitioned entities: receives draw from every partition, starting from a rotating one so none starves; settlement,
/// lock renewal, peek and deferred receives go to the partition a lock token or sequence number names.
/// </summary>
public partial class LoireReceiver
{
    /// <summary>Partitions of the entity; 0 until asked.</summary>
    private int _partitionCount;

    private int _nextPartition = Random.Shared.Next();

    /// <summary>The entity's partition count, asked of the catalog once (not remembered while the entity does not exist).</summary>
    internal async ValueTask<int> GetPartitionCountAsync(CancellationToken cancellationToken)
    {
        var known = Volatile.Read(ref _partitionCount);
        if (known > 0)
        {
            return known;
        }

        if (await _client.FindPartitionCountAsync(_grainPath, cancellationToken).ConfigureAwait(false) is not { } count)
        {
            return 1;
        }

        Volatile.Write(ref _partitionCount, count);
        return count;
    }

    /// <summary>The entity's partition count once the catalog told it; 0 while unknown (or the entity did not exist).</summary>
    internal int KnownPartitionCount => Volatile.Read(ref _partitionCount);

    private string PartitionPath(int index) => EntityPartitions.GrainPath(_grainPath, index);

    private ValueTask<DeliveredMessage[]> ReceiveFromAsync(string path, ReceiveRequest request, CancellationToken cancellationToken) =>
        // Receiving again after a failed attempt is safe: messages the lost attempt locked are redelivered when their
        // locks expire; in receive-and-delete mode they were lost with the answer either way.
        _client.Executor.ExecuteAsync("receive", _entityPath, RetryKind.Idempotent,
            (grains, ct) => grains.Queue(path).ReceiveAsync(request, ct), cancellationToken);

    /// <summary>
    /// Draws from all partitions (see <see cref="PartitionDraw"/>). Messages beyond the request land in the local
    /// buffer (see <see cref="Deliver"/>), never dropped: they are locked to this receiver.
    /// </summary>
    private async ValueTask<DeliveredMessage[]> ReceiveFromPartitionsAsync(int partitionCount, ReceiveRequest request, CancellationToken cancellationToken)
    {
        var start = EntityPartitions.NextInTurn(ref _nextPartition, partitionCount);
        var answers = await PartitionDraw.DrawAsync(partitionCount, start, request.MaxWaitTime,
            (index, wait, ct) => ReceiveFromAsync(PartitionPath(index), request with { MaxWaitTime = wait }, ct),
            delivered => delivered.Length > 0, _client.TimeProvider, cancellationToken).ConfigureAwait(false);
        return answers.Count == 1 ? answers[0] : [.. answers.SelectMany(a => a)];
    }

    /// <summary>Settles on the partitions the lock tokens name; returns the lost ones. Processor runs settle through it too.</summary>
    internal async ValueTask<Guid[]> SettleOnPartitionsAsync(Settlement[] settlements, string operation, CancellationToken cancellationToken)
    {
        var partitionCount = await GetPartitionCountAsync(cancellationToken).ConfigureAwait(false);
        var groups = EntityPartitions.GroupByPartition(settlements, partitionCount, s => EntityPartitions.PartitionOfLockToken(s.LockToken));
        var calls = groups.Select(group =>
        {
            var path = PartitionPath(group.Key);
            var batch = group.Value.ToArray();
            return _client.Executor.ExecuteAsync(operation, _entityPath, RetryKind.WhenNotExecuted,
                (grains, ct) => grains.Queue(path).SettleAsync(batch, ct), cancellationToken).AsTask();
        });
        var lost = await Task.WhenAll(calls).ConfigureAwait(false);
        return lost.Length == 1 ? lost[0] : [.. lost.SelectMany(l => l)];
    }

    private async ValueTask<DateTimeOffset?[]> RenewLocksOnPartitionsAsync(Guid[] lockTokens, CancellationToken cancellationToken)
    {
        var partitionCount = await GetPartitionCountAsync(cancellationToken).ConfigureAwait(false);
        var groups = EntityPartitions.GroupByPartition(Enumerable.Range(0, lockTokens.Length), partitionCount,
            i => EntityPartitions.PartitionOfLockToken(lockTokens[i]));
        var renewed = new DateTimeOffset?[lockTokens.Length];
        await Task.WhenAll(groups.Select(async group =>
        {
            var path = PartitionPath(group.Key);
            var tokens = group.Value.Select(i => lockTokens[i]).ToArray();
            var answer = await _client.Executor.ExecuteAsync("renew lock", _entityPath, RetryKind.Idempotent,
                (grains, ct) => grains.Queue(path).RenewLocksAsync(tokens, ct), cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < group.Value.Count && i < answer.Length; i++)
            {
                renewed[group.Value[i]] = answer[i];
            }
        })).ConfigureAwait(false);
        return renewed;
    }

    /// <summary>Peeks in sequence-number order: partition <c>i</c>'s numbers all sort below partition <c>i + 1</c>'s.</summary>
    private async ValueTask<DeliveredMessage[]> PeekOnPartitionsAsync(long fromSequenceNumber, int maxMessages, CancellationToken cancellationToken)
    {
        var partitionCount = await GetPartitionCountAsync(cancellationToken).ConfigureAwait(false);
        var subQueue = SubQueueKind;
        var peeked = new List<DeliveredMessage>();
        for (var index = EntityPartitions.PartitionOfSequenceNumber(fromSequenceNumber); index < partitionCount && peeked.Count < maxMessages; index++)
        {
            var path = PartitionPath(index);
            var from = Math.Max(fromSequenceNumber, EntityPartitions.FirstSequenceNumber(index) - 1);
            var max = maxMessages - peeked.Count;
            peeked.AddRange(await _client.Executor.ExecuteAsync("peek", _entityPath, RetryKind.Idempotent,
                (grains, ct) => grains.Queue(path).PeekAsync(from, max, subQueue, ct), cancellationToken).ConfigureAwait(false));
        }

        return [.. peeked];
    }

    private async ValueTask<DeliveredMessage[]> ReceiveDeferredOnPartitionsAsync(long[] sequenceNumbers, CancellationToken cancellationToken)
    {
        var partitionCount = await GetPartitionCountAsync(cancellationToken).ConfigureAwait(false);
        var groups = EntityPartitions.GroupByPartition(sequenceNumbers, partitionCount, EntityPartitions.PartitionOfSequenceNumber);
        var mode = ModeKind;
        var subQueue = SubQueueKind;
        var received = new List<DeliveredMessage>(sequenceNumbers.Length);
        foreach (var (index, numbers) in groups)
        {
            var path = PartitionPath(index);
            var batch = numbers.ToArray();

            // A second attempt after a lost answer would find the messages already locked: retry only unsent calls.
            received.AddRange(await _client.Executor.ExecuteAsync("receive deferred", _entityPath, RetryKind.WhenNotExecuted,
                (grains, ct) => grains.Queue(path).ReceiveDeferredAsync(batch, mode, subQueue, ct), cancellationToken).ConfigureAwait(false));
        }

        return [.. received];
    }
}
