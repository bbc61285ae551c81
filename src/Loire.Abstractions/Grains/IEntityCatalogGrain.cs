using Loire.Entities;
using Loire.Security;

namespace Loire.Grains;

/// <summary>Reads the entity catalog from the store without activating entity grains. Key: 0.</summary>
[Alias("loire.IEntityCatalogGrain")]
public interface IEntityCatalogGrain : IGrainWithIntegerKey
{
    /// <summary>The entity at <paramref name="path"/>, or null.</summary>
    [RequiresRights(AccessRights.Send | AccessRights.Listen, EntityArgument = 0)]
    [Alias("Find")]
    Task<EntityDescription?> FindAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="maxCount"/> entities of a kind, ordered by path, after <paramref name="afterPath"/>.</summary>
    [RequiresRights(AccessRights.Manage)]
    [Alias("List")]
    Task<EntityDescription[]> ListAsync(EntityKind kind, string? afterPath, int maxCount, CancellationToken cancellationToken = default);
}
