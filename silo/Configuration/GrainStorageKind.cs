namespace Loire.Silo.Configuration;

/// <summary>Where the silo keeps Orleans grain state (the AutoDeleteOnIdle index); messages never go there.</summary>
public enum GrainStorageKind
{
    /// <summary>The message store's catalog: a single silo's own embedded store, so one writer checks the ETags.</summary>
    Embedded,

    /// <summary>Microsoft.Orleans.Persistence.Redis in the Redis at <c>--redis</c>.</summary>
    Redis,

    /// <summary>Microsoft.Orleans.Persistence.AzureStorage: one Azure Storage table at <c>--azure-storage</c>.</summary>
    Azure,
}
