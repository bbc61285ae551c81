using System.Buffers.Binary;
using System.Globalization;
using Loire.Storage;
using Orleans.Serialization;
using Orleans.Storage;

namespace Loire.Grains.Persistence;

/// <summary>
/// Orleans grain state in the message store's catalog, so a silo on the embedded store needs no other storage. Each
/// state is one catalog entry of kind <see cref="CatalogKind"/> at a path no entity name can take, holding a version
/// (the ETag) and the state in Orleans' binary format. The ETag is checked here, not in the store: that is enough
/// for a single silo, the one writer; a cluster keeps grain state in Redis instead.
/// </summary>
internal sealed class MessageStoreGrainStorage(IMessageStore store, Serializer serializer) : IGrainStorage
{
    /// <summary>The catalog kind of grain-state entries; entity kinds are small numbers.</summary>
    public const int CatalogKind = 100;

    private const int VersionLength = sizeof(long);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var record = await store.GetEntityAsync(PathOf(stateName, grainId));
        if (record is null)
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        grainState.State = serializer.Deserialize<T>(record.Description[VersionLength..]);
        grainState.ETag = ETagOf(VersionOf(record));
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var path = PathOf(stateName, grainId);
        var version = await CheckETagAsync(path, grainState.ETag, stateName, grainId) + 1;
        var payload = serializer.SerializeToArray(grainState.State);
        var description = new byte[VersionLength + payload.Length];
        BinaryPrimitives.WriteInt64BigEndian(description, version);
        payload.CopyTo(description.AsSpan(VersionLength));
        await store.CommitAsync(new StoreBatch().PutEntity(new EntityRecord(path, CatalogKind, description)));
        grainState.ETag = ETagOf(version);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var path = PathOf(stateName, grainId);
        await CheckETagAsync(path, grainState.ETag, stateName, grainId);
        await store.CommitAsync(new StoreBatch().DeleteEntity(path));
        grainState.State = Activator.CreateInstance<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    /// <summary>Entity names never start with '$'.</summary>
    private static string PathOf(string stateName, GrainId grainId) => $"$grain-state/{stateName}/{grainId}";

    /// <summary>The stored version (0 when there is none), after checking that the caller wrote or read it last.</summary>
    private async Task<long> CheckETagAsync(string path, string? expected, string stateName, GrainId grainId)
    {
        var record = await store.GetEntityAsync(path);
        var version = record is null ? 0 : VersionOf(record);
        var stored = record is null ? null : ETagOf(version);
        if (stored != expected)
        {
            throw new InconsistentStateException(
                $"Grain state '{stateName}' of {grainId} was changed by another writer.", stored, expected, null);
        }

        return version;
    }

    private static long VersionOf(EntityRecord record) => BinaryPrimitives.ReadInt64BigEndian(record.Description.Span);

    private static string ETagOf(long version) => version.ToString(CultureInfo.InvariantCulture);
}
