using Loire.Grains.AutoDelete;
using Loire.Grains.Catalog;
using Loire.Grains.Depth;
using Loire.Grains.Diagnostics;
using Loire.Grains.Persistence;
using Loire.Grains.Queues;
using Loire.Grains.Security;
using Loire.Grains.Topics;
using Loire.Grains.Traffic;
using Loire.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Storage;

namespace Loire.Grains.Hosting;

/// <summary>Registers the Loire broker in an Orleans silo.</summary>
public static class LoireSiloBuilderExtensions
{
    /// <summary>
    /// The grain storage Loire's grains keep their Orleans grain state in. <see cref="AddLoire"/> backs it with the
    /// message store unless a storage of this name is registered first (a cluster registers Redis grain storage).
    /// Messages and entity definitions are not grain state: they live in the message store, committed together.
    /// </summary>
    public const string GrainStorageName = "loire";

    /// <summary>Adds Loire's grains, the message store (embedded SQLite unless <see cref="LoireBrokerOptions.StoreFactory"/> says otherwise) and its instruments to the silo.</summary>
    public static ISiloBuilder AddLoire(this ISiloBuilder builder, Action<LoireBrokerOptions>? configure = null)
    {
        var services = builder.Services;
        services.AddOptions<LoireBrokerOptions>()
            .Configure(o => configure?.Invoke(o))
            .Validate(o => { o.Validate(); return true; });
        services.AddMetrics();

        // Co-hosted clients and topic-to-subscription calls: a cancelled call's answer (locked messages) is not dropped.
        services.Configure<SiloMessagingOptions>(o => o.WaitForCancellationAcknowledgement = true);
        builder.AddIncomingGrainCallFilter<ErrorBoundaryFilter>();
        SharedAccessSiloBuilderExtensions.AddSharedAccessCore(builder);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<GrainPayloadCodec>();
        services.TryAddSingleton<EntityMetricsRegistry>();
        services.TryAddSingleton<EntityTrafficCounters>();
        services.TryAddSingleton<LoireInstruments>();
        builder.AddGrainService<EntityTrafficService>();
        services.TryAddSingleton<EntityTrafficClient>();
        services.TryAddSingleton<EntityDepthQuery>();
        services.TryAddSingleton<EntityDepthPublisher>();
        services.AddHostedService(sp => sp.GetRequiredService<EntityDepthPublisher>());
        services.AddAutoDeleteOnIdle();
        services.TryAddSingleton<QueueDeactivationWatch>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<QueueDeactivationWatch>());
        services.TryAddKeyedSingleton<IGrainStorage>(GrainStorageName, (sp, _) => ActivatorUtilities.CreateInstance<MessageStoreGrainStorage>(sp));
        services.TryAddSingleton<IMessageStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<LoireBrokerOptions>>().Value;
            if (options.StoreFactory is { } createStore)
            {
                return createStore(sp);
            }

            return new SqliteMessageStore(
                new SqliteMessageStoreOptions { DataDirectory = options.DataDirectory, Durability = options.Durability },
                sp.GetRequiredService<ILogger<SqliteMessageStore>>(),
                sp.GetService<System.Diagnostics.Metrics.IMeterFactory>());
        });

        // Idle entities deactivate so a million mostly idle queues cost storage, not memory. Orleans looks for idle
        // activations once per collection quantum (a minute by default), so an entity may stay up to a quantum longer
        // than its idle timeout: a short timeout gets a shorter quantum to keep that overshoot at half the timeout.
        services.AddOptions<GrainCollectionOptions>().Configure<IOptions<LoireBrokerOptions>>((collection, broker) =>
        {
            var idle = broker.Value.EntityIdleTimeout;
            foreach (var grainClass in new[] { typeof(QueueGrain), typeof(TopicGrain), typeof(EntityCatalogGrain) })
            {
                collection.ClassSpecificCollectionAge[grainClass.FullName!] = idle;
            }

            if (idle / 2 < collection.CollectionQuantum)
            {
                collection.CollectionQuantum = idle / 2;
            }
        });
        return builder;
    }
}
