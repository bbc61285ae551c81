using Microsoft.Extensions.DependencyInjection;

namespace Loire.Grains.Hosting;

/// <summary>Registers the Loire broker in an Orleans silo.</summary>
public static class LoireSiloBuilderExtensions
{
    /// <summary>Adds Loire's grains, the embedded message store and its instruments to the silo.</summary>
    public static ISiloBuilder AddLoire(this ISiloBuilder builder, Action<LoireBrokerOptions>? configure = null)
    {
        // Filled in with the grains (store, instruments, options validation).
        builder.Services.AddOptions<LoireBrokerOptions>().Configure(o => configure?.Invoke(o));
        return builder;
    }
}
