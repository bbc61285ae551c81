using Loire.Client;
using Loire.Silo.Amqp.Security;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Loire.Silo.Amqp;

/// <summary>Adds the AMQP 1.0 front door to a silo's services.</summary>
public static class AmqpFrontDoorServiceCollectionExtensions
{
    /// <summary>
    /// Starts the front door after the silo (and stops it first), over a co-hosted client. Access control is
    /// <see cref="OpenAmqpAccessControl"/> unless an <see cref="IAmqpAccessControl"/> is registered.
    /// </summary>
    public static IServiceCollection AddAmqpFrontDoor(this IServiceCollection services, Action<AmqpFrontDoorOptions> configure)
    {
        services.AddLoireClientCoHosted();
        services.TryAddSingleton<IAmqpAccessControl, OpenAmqpAccessControl>();
        services.Configure(configure);
        services.AddSingleton<AmqpFrontDoor>();
        services.AddHostedService(provider => provider.GetRequiredService<AmqpFrontDoor>());
        return services;
    }
}
