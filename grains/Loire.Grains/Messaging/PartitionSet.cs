using Loire.Client;
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

    /// <summary>Creates every partition; on failure deletes those it created and rethrows.</summary>
    public static async Task CreateAllAsync<T>(IReadOnlyList<T> partitions, Func<T, Task> create, Func<T, Task> delete)
    {
        var created = new List<T>(partitions.Count);
        try
        {
            foreach (var partition in partitions)
            {
                try
                {
                    await create(partition);
                }
                catch (LoireException exception) when (exception.Reason == LoireErrorReason.MessagingEntityAlreadyExists)
                {
                    await delete(partition);
                    await create(partition);
                }

                created.Add(partition);
            }
        }
        catch
        {
            await DeleteAllAsync(created, delete);
            throw;
        }
    }

    /// <summary>Deletes every partition; one already gone (an earlier delete stopped half way) is skipped.</summary>
    public static async Task DeleteAllAsync<T>(IEnumerable<T> partitions, Func<T, Task> delete)
    {
        foreach (var partition in partitions)
        {
            try
            {
                await delete(partition);
            }
            catch (LoireException exception) when (exception.Reason == LoireErrorReason.MessagingEntityNotFound)
            {
            }
        }
    }

    /// <summary>Refuses a batch that belongs to another partition, so keyed order and duplicate detection hold even for a stale sender.</summary>
    public static void RequireOwnPartition(string entityPath, int index, Entities.EntityOptions options, OutgoingMessage[] messages)
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
