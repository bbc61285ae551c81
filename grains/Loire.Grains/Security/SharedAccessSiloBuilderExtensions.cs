using Loire.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Loire.Grains.Security;

/// <summary>Turns on shared access authorisation in a Loire silo.</summary>
public static class SharedAccessSiloBuilderExtensions
{
    /// <summary>
    /// Every client call and HTTP request then needs a token signed with a key of one of <paramref name="namespaceRules"/>
    /// (or of the addressed entity's own rules). Replace the rules later through <see cref="NamespaceAccessRules.Replace"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A rule is invalid, or two share a key name.</exception>
    public static ISiloBuilder AddLoireSharedAccess(this ISiloBuilder builder, IEnumerable<SharedAccessAuthorizationRule> namespaceRules)
    {
        builder.Services.Replace(ServiceDescriptor.Singleton(new NamespaceAccessRules(namespaceRules)));
        return builder;
    }

    /// <summary>
    /// What <see cref="Hosting.LoireSiloBuilderExtensions.AddLoire"/> always registers: the filter (which audits even
    /// with authorisation off) and the gateway guard that keeps clients from posing as grains to it.
    /// </summary>
    internal static void AddSharedAccessCore(ISiloBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(_ => new NamespaceAccessRules());
        services.TryAddSingleton<EntityAccessRuleCache>();
        services.TryAddSingleton(sp => new SharedAccessAuthorizer(
            sp.GetRequiredService<NamespaceAccessRules>(), sp.GetRequiredService<EntityAccessRuleCache>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<SecurityAudit>();
        services.TryAddSingleton<GatewaySenderGuard>();
        GatewaySenderGuard.Add(services);
        builder.AddIncomingGrainCallFilter<SharedAccessFilter>();
    }
}
