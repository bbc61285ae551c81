using Loire.Client;
using Loire.Entities;

namespace Loire.Partitions;

/// <summary>
/// How a partitioned entity is laid out: partition 0 is the entity's own grain (its path), partition <c>i &gt; 0</c>
/// is the grain <c>path/$partitions/i</c>, a path users cannot create. Sequence numbers carry their partition in the
/// high bits, and lock tokens carry it in their last byte, so a number or a token finds its partition without asking.
/// </summary>
public static class EntityPartitions
{
    /// <summary>Most partitions an entity may have.</summary>
    public const int MaxPartitionCount = 32;

    /// <summary>The segment between an entity path and a partition index.</summary>
    public const string PartitionSuffix = "/$partitions/";

    /// <summary>Bits below the partition index in a sequence number; non-partitioned numbers never reach them.</summary>
    public const int SequenceShift = 48;

    /// <summary>Throws <see cref="LoireErrorReason.InvalidArgument"/> unless <paramref name="partitionCount"/> is allowed.</summary>
    public static void ValidateCount(int partitionCount, string entityPath)
    {
        if (partitionCount is < 1 or > MaxPartitionCount)
        {
            throw new LoireException(LoireErrorReason.InvalidArgument,
                $"PartitionCount must be between 1 and {MaxPartitionCount}; got {partitionCount}.", entityPath);
        }
    }

    /// <summary>Grain path of partition <paramref name="index"/> of <paramref name="entityPath"/>.</summary>
    public static string GrainPath(string entityPath, int index) =>
        index == 0 ? entityPath : entityPath + PartitionSuffix + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Splits a grain path into entity path and partition index; an entity's own path is partition 0.</summary>
    public static (string EntityPath, int Index) Parse(string grainPath)
    {
        var at = grainPath.LastIndexOf(PartitionSuffix, StringComparison.Ordinal);
        if (at > 0 && int.TryParse(grainPath.AsSpan(at + PartitionSuffix.Length), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out var index) && index is > 0 and < MaxPartitionCount)
        {
            return (grainPath[..at], index);
        }

        return (grainPath, 0);
    }

    /// <summary>True for the grain path of a partition other than 0 (stored as its own record, hidden from listings).</summary>
    public static bool IsPartitionPath(string path) => Parse(path).Index > 0;

    /// <summary>First sequence number partition <paramref name="index"/> hands out.</summary>
    public static long FirstSequenceNumber(int index) => ((long)index << SequenceShift) + 1;

    /// <summary>The partition a sequence number was issued by.</summary>
    public static int PartitionOfSequenceNumber(long sequenceNumber) =>
        sequenceNumber <= 0 ? 0 : (int)(sequenceNumber >> SequenceShift) is var index and < MaxPartitionCount ? index : 0;

    /// <summary>The random lock token <paramref name="token"/> made to name partition <paramref name="index"/>.</summary>
    public static Guid LockTokenOfPartition(Guid token, int index)
    {
        Span<byte> bytes = stackalloc byte[16];
        token.TryWriteBytes(bytes);
        bytes[15] = (byte)index;
        return new Guid(bytes);
    }

    /// <summary>The partition a lock token of a partitioned entity was issued by.</summary>
    public static int PartitionOfLockToken(Guid lockToken)
    {
        Span<byte> bytes = stackalloc byte[16];
        lockToken.TryWriteBytes(bytes);
        return bytes[15] < MaxPartitionCount ? bytes[15] : 0;
    }

    /// <summary>
    /// The next partition in turn for unkeyed work, from a <paramref name="cursor"/> the caller keeps (seed it at
    /// random, so callers do not all start at partition 0); safe to call concurrently.
    /// </summary>
    public static int NextInTurn(ref int cursor, int partitionCount) =>
        (int)((uint)Interlocked.Increment(ref cursor) % (uint)partitionCount);

    /// <summary>Groups items by partition (all in partition 0 when the entity has one), keeping their order within each group.</summary>
    public static Dictionary<int, List<T>> GroupByPartition<T>(IEnumerable<T> items, int partitionCount, Func<T, int> partitionOf)
    {
        var groups = new Dictionary<int, List<T>>();
        foreach (var item in items)
        {
            var index = partitionCount <= 1 ? 0 : partitionOf(item);
            if (!groups.TryGetValue(index, out var group))
            {
                groups[index] = group = [];
            }

            group.Add(item);
        }

        return groups;
    }
}
