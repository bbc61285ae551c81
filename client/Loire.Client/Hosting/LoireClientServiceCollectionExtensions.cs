using Loire.Client.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Loire.Client;

/// <summary>Registers a <see cref="LoireClient"/> in a service collection.</summary>
public static class LoireClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="LoireClient"/> that connects through gateways; the container disposes it.
    /// The options are validated when the host starts; the client connects on first use (call
    /// <see cref="LoireClient.ConnectAsync"/> to connect at startup).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets gateways, cluster ids, timeouts and retries.</param>
    /// <returns>The service collection.</returns>
    /// <example><code>services.AddLoireClient(o => o.Gateways.Add("127.0.0.1:30000"));</code></example>
    public static IServiceCollection AddLoireClient(this IServiceCollection services, Action<LoireClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<LoireClientOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LoireClientOptions>, LoireClientOptionsValidator>());
        services.TryAddSingleton(provider => new LoireClient(
            provider.GetRequiredService<IOptions<LoireClientOptions>>().Value,
            provider.GetService<ILoggerFactory>()));
        return services;
    }

    /// <summary>
    /// Registers a singleton <see cref="LoireClient"/> over the process's own Orleans <see cref="IGrainFactory"/>: for
    /// code running inside a Loire silo (or next to an Orleans client the application already hosts). The client
    /// owns nothing; gateways and cluster ids in the options are ignored.
    /// </summary>
    /// <param name="services">The service collection of the silo or host.</param>
    /// <param name="configure">Optionally sets timeouts and retries.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddLoireClientCoHosted(this IServiceCollection services, Action<LoireClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var optionsBuilder = services.AddOptions<LoireClientOptions>();
        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        services.TryAddSingleton(provider => new LoireClient(
            provider.GetRequiredService<IGrainFactory>(),
            provider.GetRequiredService<IOptions<LoireClientOptions>>().Value,
            provider.GetService<ILoggerFactory>()));
        return services;
    }
}
