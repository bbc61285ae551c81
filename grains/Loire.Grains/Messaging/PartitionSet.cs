using Loire.Client;
using Loire.Entities;
using Loire.Grains;
using Loire.Messages;
using Loire.Partitions;

namespace Loire.Grains.Messaging;

/// <summary>
/// What partition 0 of a partitioned queue or topic does for the others: creates them before its own record (a
/// partition left over from an interrupted delete is recreated empty), deletes them, and checks that a batch is sent
/// to the partition its keys name.
/// </summary>
internal static class PartitionSet
{
    /// <summary>Refuses a partition index the entity does not have.</summary>
    public static void RequireIndex(int index, int partitionCount, string path)
    {
        if (index >= partitionCount)
        {
            throw new LoireException(LoireErrorReason.InvalidArgument,
                $"Partition {index} does not exist in an entity of {partitionCount} partitions.", path);
        }
    }

    /// <summary>
    /// Partitions 1..<paramref name="partitionCount"/>-1 of the entity whose partition 0 is <paramref name="grainPath"/>,
    /// as seen from partition <paramref name="index"/>: only partition 0 manages the others, so any other sees none.
    /// </summary>
    public static TGrain[] Others<TGrain>(IGrainFactory grainFactory, string grainPath, int index, int partitionCount)
        where TGrain : IEntityGrain =>
        index != 0
            ? []
            : [.. Enumerable.Range(1, partitionCount - 1).Select(i => grainFactory.GetGrain<TGrain>(EntityPartitions.GrainPath(grainPath, i)))];

    /// <summary>Creates every partition; on failure deletes those it created and rethrows.</summary>
    public static async Task CreateAllAsync(IReadOnlyList<IEntityGrain> partitions, EntityDescription description, CancellationToken cancellationToken)
    {
        var created = new List<IEntityGrain>(partitions.Count);
        try
        {
            foreach (var partition in partitions)
            {
                try
                {
                    await partition.CreateAsync(description, cancellationToken);
                }
                catch (LoireException exception) when (exception.Reason == LoireErrorReason.MessagingEntityAlreadyExists)
                {
                    await partition.DeleteAsync(CancellationToken.None);
                    await partition.CreateAsync(description, cancellationToken);
                }

                created.Add(partition);
            }
        }
        catch
        {
            await DeleteAllAsync(created);
            throw;
        }
    }

    /// <summary>Deletes every partition; one already gone (an earlier delete stopped half way) is skipped.</summary>
    public static async Task DeleteAllAsync(IEnumerable<IEntityGrain> partitions)
    {
        foreach (var partition in partitions)
        {
            try
            {
                await partition.DeleteAsync(CancellationToken.None);
            }
            catch (LoireException exception) when (exception.Reason == LoireErrorReason.MessagingEntityNotFound)
            {
            }
        }
    }

    /// <summary>Refuses a batch that belongs to another partition, so keyed order and duplicate detection hold even for a stale sender.</summary>
    public static void RequireOwnPartition(string entityPath, int index, EntityOptions options, OutgoingMessage[] messages)
    {
        if (options.PartitionCount > 1 && messages is { Length: > 0 }
            && MessagePartitioner.SelectPartition(messages, options.PartitionCount, options.RequiresDuplicateDetection, entityPath) is { } owner
            && owner != index)
        {
            throw new LoireException(LoireErrorReason.InvalidArgument,
                $"The batch belongs to partition {owner} of '{entityPath}', not partition {index}.", entityPath);
        }
    }
}
