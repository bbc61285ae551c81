using Loire.Grains.Security;
using Loire.Silo.Configuration;

namespace Loire.Silo.Security;

/// <summary>Wires shared access authorisation into the silo host from its options.</summary>
public static class SiloSecurity
{
    /// <summary>With <c>--access-rules</c>: loads the rules (bad ones stop the start), turns authorisation on, watches the file.</summary>
    public static void Add(ISiloBuilder silo, LoireSiloOptions options)
    {
        if (options.AccessRules is not { } path)
        {
            return;
        }

        silo.AddLoireSharedAccess(AccessRulesFile.Load(path));
        silo.Services.AddHostedService(sp => ActivatorUtilities.CreateInstance<AccessRulesReloader>(sp, Path.GetFullPath(path)));
    }

    /// <summary>Checks tokens on the HTTP port; a pass-through (that still audits API changes) with authorisation off.</summary>
    public static IApplicationBuilder UseSiloSecurity(this IApplicationBuilder app) => app.UseMiddleware<SharedAccessHttpMiddleware>();
}
