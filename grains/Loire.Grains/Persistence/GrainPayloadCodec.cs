using Loire.Entities;
using Loire.Messages;
using Loire.Storage;
using Orleans.Serialization;
using Orleans.Serialization.Buffers;

namespace Loire.Grains.Persistence;

/// <summary>Turns stored messages, delivery states and catalog documents into the store's opaque bytes and back.</summary>
internal sealed class GrainPayloadCodec(Serializer serializer)
{
    /// <summary>
    /// Encodes <paramref name="message"/> into an array rented from <paramref name="payloads"/>: the result is valid until
    /// they are returned, which a batch's owner does once its commit has completed.
    /// </summary>
    public ReadOnlyMemory<byte> EncodeMessage(StoredMessage message, RentedPayloads payloads)
    {
        // Into Orleans' pooled segments first, since the length is known only afterwards; then one copy.
        using var session = serializer.SessionPool.GetSession();
        var writer = Writer.CreatePooled(session);
        try
        {
            serializer.Serialize(message, ref writer);
            var length = writer.Output.Length;
            var array = payloads.Rent(length);
            writer.Output.CopyTo(array);
            return array.AsMemory(0, length);
        }
        finally
        {
            writer.Dispose();
        }
    }

    public StoredMessage DecodeMessage(ReadOnlyMemory<byte> payload) => serializer.Deserialize<StoredMessage>(payload)!;

    public ReadOnlyMemory<byte> EncodeState(MessageState state, SubQueueKind subQueue, int deliveryCount,
        string? deadLetterReason, string? deadLetterDescription, string? deadLetterSource)
    {
        if (state == MessageState.Active && subQueue == SubQueueKind.None && deliveryCount == 0 && deadLetterReason is null)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        return serializer.SerializeToArray(new StoredDeliveryState(
            state, subQueue, deliveryCount, deadLetterReason, deadLetterDescription, deadLetterSource));
    }

    public StoredDeliveryState? DecodeState(ReadOnlyMemory<byte> state) =>
        state.IsEmpty ? null : serializer.Deserialize<StoredDeliveryState>(state)!;

    public EntityRecord EncodeEntity(EntityDocument document) =>
        new(document.Description.Path, (int)document.Description.Kind, serializer.SerializeToArray(document));

    public EntityDocument DecodeEntity(EntityRecord record) => serializer.Deserialize<EntityDocument>(record.Description)!;

    public byte[] EncodeSessionState(StoredSessionState state) => serializer.SerializeToArray(state);

    public StoredSessionState DecodeSessionState(ReadOnlyMemory<byte> payload) => serializer.Deserialize<StoredSessionState>(payload)!;
}
