namespace Loire.Storage;

/// <summary>One stored message: its immutable payload and its (small, mutable) delivery state, both opaque to the store.</summary>
public readonly record struct MessageRecord(long SequenceNumber, ReadOnlyMemory<byte> Payload, ReadOnlyMemory<byte> State);

/// <summary>One catalog entry: an entity's path, kind and opaque description.</summary>
public sealed record EntityRecord(string Path, int Kind, ReadOnlyMemory<byte> Description);
