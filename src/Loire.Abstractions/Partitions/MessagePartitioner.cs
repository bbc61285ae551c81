using System.Text;
using Loire.Client;
using Loire.Messages;

namespace Loire.Partitions;

/// <summary>
/// Picks the partition of a message or batch, the same way in the client and in grains: SessionId, else PartitionKey,
/// else (with duplicate detection) MessageId, hashed with FNV-1a over UTF-8 so every process agrees.
/// </summary>
public static class MessagePartitioner
{
    /// <summary>
    /// The partition every keyed message of <paramref name="batch"/> maps to, or null when no message is keyed (the
    /// caller then spreads). InvalidArgument when a message's SessionId and PartitionKey differ or keyed messages map
    /// to different partitions.
    /// </summary>
    /// <param name="batch">The messages of one send.</param>
    /// <param name="partitionCount">Partitions of the entity; 1 always answers 0.</param>
    /// <param name="keyByMessageId">The entity detects duplicates: unkeyed messages are keyed by MessageId so a retry finds the partition that remembers it.</param>
    /// <param name="entityPath">Named in errors.</param>
    public static int? SelectPartition(IReadOnlyList<OutgoingMessage> batch, int partitionCount, bool keyByMessageId, string entityPath)
    {
        if (partitionCount <= 1)
        {
            return 0;
        }

        int? selected = null;
        string? selectedKey = null;
        foreach (var message in batch)
        {
            var key = KeyOf(message, keyByMessageId, entityPath);
            if (key is null)
            {
                continue;
            }

            var index = PartitionOf(key, partitionCount);
            if (selected is { } other && other != index)
            {
                throw new LoireException(LoireErrorReason.InvalidArgument,
                    $"A batch goes to one partition, so all its keyed messages (by SessionId, PartitionKey or, with duplicate detection, MessageId) must map to the same partition; '{selectedKey}' maps to partition {other} and '{key}' to partition {index}. Send them separately.",
                    entityPath);
            }

            selected = index;
            selectedKey = key;
        }

        return selected;
    }

    /// <summary>The partition of <paramref name="key"/> among <paramref name="partitionCount"/>.</summary>
    public static int PartitionOf(string key, int partitionCount)
    {
        const uint offsetBasis = 2166136261;
        const uint prime = 16777619;
        var hash = offsetBasis;
        var bytes = key.Length <= 256 ? stackalloc byte[Encoding.UTF8.GetMaxByteCount(key.Length)] : new byte[Encoding.UTF8.GetMaxByteCount(key.Length)];
        var length = Encoding.UTF8.GetBytes(key, bytes);
        foreach (var b in bytes[..length])
        {
            hash = (hash ^ b) * prime;
        }

        return (int)(hash % (uint)partitionCount);
    }

    private static string? KeyOf(OutgoingMessage message, bool keyByMessageId, string entityPath)
    {
        if (message.SessionId is { } sessionId && message.PartitionKey is { } partitionKey && !string.Equals(sessionId, partitionKey, StringComparison.Ordinal))
        {
            throw new LoireException(LoireErrorReason.InvalidArgument,
                $"A message's PartitionKey must equal its SessionId when both are set; got PartitionKey '{partitionKey}' and SessionId '{sessionId}'.",
                entityPath);
        }

        return message.SessionId ?? message.PartitionKey ?? (keyByMessageId ? message.MessageId : null);
    }
}
