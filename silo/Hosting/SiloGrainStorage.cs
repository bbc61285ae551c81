using Azure.Data.Tables;
using Loire.Grains.Hosting;
using Loire.Silo.Configuration;
using Orleans.Persistence;
using Orleans.Serialization;
using Orleans.Storage;
using StackExchange.Redis;

namespace Loire.Silo.Hosting;

/// <summary>
/// Registers the grain storage <see cref="LoireSiloBuilderExtensions.GrainStorageName"/> that
/// <see cref="LoireSiloOptions.EffectiveGrainStorage"/> names. Called before <c>AddLoire</c>, which backs that storage
/// with the message store's catalog unless one is registered first. Only grain state (the auto-delete index) goes
/// there: messages and entity definitions stay in the message store, committed together.
/// </summary>
internal static class SiloGrainStorage
{
    /// <summary>The table of <see cref="GrainStorageKind.Azure"/>; rows are keyed by service id and grain id, so services can share it.</summary>
    public const string AzureTableName = "LoireGrainState";

    public static void Add(ISiloBuilder silo, LoireSiloOptions options)
    {
        switch (options.EffectiveGrainStorage)
        {
            case GrainStorageKind.Redis:
                AddRedis(silo, options.Redis ?? throw new InvalidOperationException("Redis grain storage without --redis passed validation."));
                break;
            case GrainStorageKind.Azure:
                AddAzureTable(silo, options.AzureStorage ?? throw new InvalidOperationException("Azure grain storage without --azure-storage passed validation."));
                break;
        }
    }

    /// <summary>Where grain state lives, for the start log; never the account key.</summary>
    public static string Describe(LoireSiloOptions options) => options.EffectiveGrainStorage switch
    {
        GrainStorageKind.Redis => $"redis {options.Redis}",
        GrainStorageKind.Azure => $"azure table {AzureTableName} at {AzureStorageAccount.TableEndpoint(options.AzureStorage!)}",
        _ => "the embedded store's catalog",
    };

    /// <summary>Keys "{ServiceId}/state/...". Orleans' binary format, as in every storage here, so a renamed type keeps its alias.</summary>
    private static void AddRedis(ISiloBuilder silo, string redis)
    {
        silo.AddRedisGrainStorage(LoireSiloBuilderExtensions.GrainStorageName, storage => storage.ConfigurationOptions = ConfigurationOptions.Parse(redis));
        silo.Services.AddOptions<RedisStorageOptions>(LoireSiloBuilderExtensions.GrainStorageName)
            .Configure<Serializer>((storage, serializer) => storage.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer));
    }

    /// <summary>
    /// One row per grain state: partition key "{ServiceId}_{grain id}", row key the state name, the state in binary
    /// properties. Orleans creates the table when the silo starts, and the start fails when the account cannot be reached.
    /// </summary>
    private static void AddAzureTable(ISiloBuilder silo, string connectionString) =>
        silo.AddAzureTableGrainStorage(LoireSiloBuilderExtensions.GrainStorageName, storage => storage.Configure<Serializer>((table, serializer) =>
        {
            table.TableName = AzureTableName;
            table.TableServiceClient = new TableServiceClient(connectionString);
            table.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
        }));
}
