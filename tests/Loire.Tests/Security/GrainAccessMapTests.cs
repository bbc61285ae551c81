using System.Reflection;
using Loire.Grains;
using Loire.Security;

namespace Loire.Tests.Security;

/// <summary>Every grain method a client can reach says which rights it needs, or that only silos call it.</summary>
public sealed class GrainAccessMapTests
{
    [Fact]
    public void EveryClientCallableGrainMethodHasARightsMapping()
    {
        var interfaces = typeof(IEntityGrain).Assembly.GetTypes()
            .Where(t => t.IsInterface && t.IsPublic && typeof(IGrain).IsAssignableFrom(t))
            .ToArray();
        var unmapped = interfaces
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(m => m.GetCustomAttribute<RequiresRightsAttribute>() is null && m.GetCustomAttribute<SiloInternalAttribute>() is null)
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}")
            .ToArray();

        Assert.Contains(typeof(IQueueGrain), interfaces);
        Assert.Contains(typeof(IEntityCatalogGrain), interfaces);
        Assert.True(unmapped.Length == 0, "Grain methods without [RequiresRights] or [SiloInternal]: " + string.Join(", ", unmapped));
    }

    [Fact]
    public void ManageImpliesSendAndListen()
    {
        Assert.True(AccessRights.Manage.GrantsAny(AccessRights.Send));
        Assert.True(AccessRights.Manage.GrantsAny(AccessRights.Listen));
        Assert.False(AccessRights.Send.GrantsAny(AccessRights.Listen | AccessRights.Manage));
        Assert.True(AccessRights.Listen.GrantsAny(AccessRights.Send | AccessRights.Listen));
    }
}
