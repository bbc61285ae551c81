using Loire.Grains.Messaging;
using Loire.Grains.Persistence;
using Loire.Messages;
using Loire.Partitions;

namespace Loire.Grains.Topics;

/// <summary>
/// Partitioned topics: this grain is one partition, with its own sequence numbers, duplicate history and routes, and
/// topic partition i delivers to subscription partition i. Partition 0 is the topic's own grain and record: it manages
/// subscriptions and rules and tells the other partitions to reload them.
/// </summary>
internal sealed partial class TopicGrain
{
    private (string EntityPath, int Index)? _partition;

    private (string EntityPath, int Index) Partition => _partition ??= EntityPartitions.Parse(Path);

    private string TopicPath => Partition.EntityPath;

    private int PartitionIndex => Partition.Index;

    private void RequirePartitionOf(int partitionCount) => PartitionSet.RequireIndex(PartitionIndex, partitionCount, Path);

    private ITopicGrain[] OtherPartitions(int partitionCount) => PartitionSet.Others<ITopicGrain>(GrainFactory, Path, PartitionIndex, partitionCount);

    /// <summary>After a subscription or rule change on partition 0: the others route by the stored subscriptions.</summary>
    private async Task ReloadOtherPartitionsAsync()
    {
        foreach (var partition in OtherPartitions(_document?.Description.Options.PartitionCount ?? 1))
        {
            await partition.ReloadSubscriptionsAsync(CancellationToken.None);
        }
    }

    private void RequireOwnPartition(EntityDocument document, OutgoingMessage[] messages) =>
        PartitionSet.RequireOwnPartition(TopicPath, PartitionIndex, document.Description.Options, messages);
}
