using Loire.Client;
using Loire.Entities;
using Loire.Grains.Messaging;
using Loire.Grains.Persistence;
using Loire.Messages;
using Loire.Partitions;

namespace Loire.Grains.Queues;

/// <summary>
/// Partitioned queues: this grain is one partition. Partition 0 is the entity's own grain and record; it creates and
/// deletes the other partitions and sums over them for counts and dead-letter tools, so administration needs no
/// knowledge of partitions. Hot paths (send, receive, settle) go from the client straight to the partition.
/// </summary>
internal sealed partial class QueueGrain
{
    private (string EntityPath, int Index)? _partition;

    private (string EntityPath, int Index) Partition => _partition ??= EntityPartitions.Parse(Path);

    private int PartitionIndex => Partition.Index;

    public async ValueTask<long> PurgeAsync(SubQueueKind subQueue, CancellationToken cancellationToken = default)
    {
        var purged = await PurgeOwnAsync(subQueue, cancellationToken);
        foreach (var partition in OtherPartitions())
        {
            purged += await partition.PurgeAsync(subQueue, cancellationToken);
        }

        return purged;
    }

    public async ValueTask<long> ResubmitDeadLettersAsync(long[]? sequenceNumbers, CancellationToken cancellationToken = default)
    {
        RequireEntity();
        var partitions = OtherPartitions();
        var resubmitted = 0L;
        for (var index = 0; index <= partitions.Length; index++)
        {
            // A sequence number names the partition that holds its message.
            var numbers = partitions.Length == 0 ? sequenceNumbers : sequenceNumbers?.Where(n => EntityPartitions.PartitionOfSequenceNumber(n) == index).ToArray();
            if (numbers is { Length: 0 })
            {
                continue;
            }

            resubmitted += index == 0
                ? await ResubmitOwnDeadLettersAsync(numbers, cancellationToken)
                : await partitions[index - 1].ResubmitDeadLettersAsync(numbers, cancellationToken);
        }

        return resubmitted;
    }

    /// <summary>Lock tokens of a partitioned entity name their partition, so the client settles without asking.</summary>
    private Guid NewLockToken() => _document?.Description.Options.PartitionCount > 1
        ? EntityPartitions.LockTokenOfPartition(_lockTokens.Next(), PartitionIndex)
        : _lockTokens.Next();

    /// <summary>Partitions 1..P-1 when this is partition 0 of a partitioned entity; empty otherwise.</summary>
    private IQueueGrain[] OtherPartitions() => PartitionIndex == 0 && _document?.Description.Options.PartitionCount is > 1 and var count
        ? OtherPartitions(count)
        : [];

    private IQueueGrain[] OtherPartitions(int partitionCount) => PartitionSet.Others<IQueueGrain>(GrainFactory, Path, PartitionIndex, partitionCount);

    private async Task<EntityRuntimeInfo> SumOverOtherPartitionsAsync(EntityRuntimeInfo own, CancellationToken cancellationToken)
    {
        var sum = own with { Path = Partition.EntityPath };
        foreach (var partition in OtherPartitions())
        {
            var info = await partition.GetRuntimeInfoAsync(cancellationToken);
            sum = sum with
            {
                ActiveMessageCount = sum.ActiveMessageCount + info.ActiveMessageCount,
                DeadLetterMessageCount = sum.DeadLetterMessageCount + info.DeadLetterMessageCount,
                ScheduledMessageCount = sum.ScheduledMessageCount + info.ScheduledMessageCount,
                DeferredMessageCount = sum.DeferredMessageCount + info.DeferredMessageCount,
                LockedMessageCount = sum.LockedMessageCount + info.LockedMessageCount,
                TotalMessageCount = sum.TotalMessageCount + info.TotalMessageCount,
                SizeInBytes = sum.SizeInBytes + info.SizeInBytes,
            };
        }

        return sum;
    }

    private void RequireOwnPartition(EntityDocument document, OutgoingMessage[] messages) =>
        PartitionSet.RequireOwnPartition(Partition.EntityPath, PartitionIndex, document.Description.Options, messages);
}
